import { Split } from 'lucide-react';
import { defineNodeModule } from './module';

export const split = defineNodeModule('split', {
  icon: Split,
  color: '#0e7490',
  exitLabel(node, exit, card) {
    const arm = node.arms.find((a) => a.id === exit);
    if (!arm) return undefined;
    if (!card) return arm.label ?? arm.id;
    const total = node.arms.reduce((sum, a) => sum + a.weight, 0);
    return `${arm.label ?? arm.id} ${total > 0 ? Math.round((arm.weight / total) * 100) : 0}%`;
  },
});
