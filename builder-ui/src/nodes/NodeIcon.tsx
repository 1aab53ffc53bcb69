import type { NodeType } from '@sopflow/core';
import type { CSSProperties } from 'react';
import { nodeModule } from './index';

/** The style that gives an element its node type's colour (`var(--node)` in styles.css). */
export const nodeColorStyle = (type: NodeType) => ({ '--node': nodeModule(type).color }) as CSSProperties;

/** A node type's icon on its colour, shared by the palette, the canvas and the side panel. */
export function NodeIcon({ type, size = 16 }: { type: NodeType; size?: number }) {
  const Icon = nodeModule(type).icon;
  return (
    <span className={`node-icon node-icon--${type}`} style={nodeColorStyle(type)} aria-hidden="true">
      <Icon size={size} strokeWidth={2} />
    </span>
  );
}
