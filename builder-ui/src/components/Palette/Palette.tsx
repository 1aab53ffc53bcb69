import type { NodeType } from '@sopflow/core';
import type { DragEvent } from 'react';
import { NODE_TYPES } from '../../editor/document';
import { useLocale } from '../../hooks/useLocale';
import { NodeIcon } from '../node-style';

/** The drag-and-drop payload type of a palette item: the node type to create. */
export const PALETTE_MIME = 'application/x-sopflow-node';

/** Every node type, to drag onto the canvas (or click: added in view, for keyboard users). */
export function Palette({ onAdd }: { onAdd: (type: NodeType) => void }) {
  const { t } = useLocale();
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
              title={t.nodeHints[type]}
            >
              <NodeIcon type={type} />
              <span className="palette__text">
                <span className="palette__name">{t.nodeTypes[type]}</span>
                <span className="palette__desc">{t.nodeHints[type]}</span>
              </span>
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
