import type { NodeType } from '@sopflow/core';
import type { DragEvent } from 'react';
import { useLocale } from '../../hooks/useLocale';
import { NODE_TYPES, nodeHint, nodeLabel } from '../../nodes';
import { NodeIcon } from '../../nodes/NodeIcon';

/** The drag-and-drop payload type of a palette item: the node type to create. */
export const PALETTE_MIME = 'application/x-sopflow-node';

/** Every node type, to drag onto the canvas (or click: added in view, for keyboard users). */
export function Palette({ onAdd }: { onAdd: (type: NodeType) => void }) {
  const { t, locale } = useLocale();
  const onDragStart = (event: DragEvent, type: NodeType) => {
    event.dataTransfer.setData(PALETTE_MIME, type);
    event.dataTransfer.effectAllowed = 'copy';
  };
  return (
    <nav className="palette" aria-label={t.palette} data-testid="palette">
      <h2>{t.palette}</h2>
      <p className="palette__hint muted">{t.paletteHint}</p>
      <ul>
        {NODE_TYPES.map((type) => (
          <li key={type}>
            <button
              type="button"
              draggable
              className={`palette__item palette__item--${type}`}
              data-testid={`palette-${type}`}
              onDragStart={(e) => onDragStart(e, type)}
              onClick={() => onAdd(type)}
              title={nodeHint(type, locale)}
            >
              <NodeIcon type={type} />
              <span className="palette__text">
                <span className="palette__name">{nodeLabel(type, locale)}</span>
                <span className="palette__desc">{nodeHint(type, locale)}</span>
              </span>
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
