import type { NodeType } from '@sopflow/core';
import {
  AlarmClock,
  BellRing,
  ClipboardCheck,
  Flag,
  GitBranch,
  Globe,
  Hourglass,
  type LucideIcon,
  Send,
  Split,
  UserPen,
  Zap,
} from 'lucide-react';

/** Each node type's icon and colour, shared by the palette, the canvas and the side panel. */
export const NODE_ICONS: Record<NodeType, LucideIcon> = {
  trigger: Zap,
  send: Send,
  wait: Hourglass,
  wait_until: AlarmClock,
  wait_for_event: BellRing,
  branch: GitBranch,
  split: Split,
  update_contact: UserPen,
  http_request: Globe,
  staff_task: ClipboardCheck,
  exit: Flag,
};

export function NodeIcon({ type, size = 16 }: { type: NodeType; size?: number }) {
  const Icon = NODE_ICONS[type];
  return (
    <span className={`node-icon node-icon--${type}`} aria-hidden="true">
      <Icon size={size} strokeWidth={2} />
    </span>
  );
}
