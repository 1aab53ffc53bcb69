import { GitBranch } from 'lucide-react';
import { defineNodeModule } from './module';

export const branch = defineNodeModule('branch', {
  icon: GitBranch,
  color: '#1f9e89',
  exitLabel(node, exit) {
    const branch = node.branches.find((b) => b.id === exit);
    return branch && (branch.label ?? branch.id);
  },
});
