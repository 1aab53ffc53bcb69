import type { NodeType } from '@sopflow/core';
import { ChevronsLeft, ChevronsRight } from 'lucide-react';
import type { DragEvent } from 'react';
import { useLocale } from '../../hooks/useLocale';
import { NODE_TYPES, nodeHint, nodeLabel } from '../../nodes';
import { NodeIcon } from '../../nodes/NodeIcon';
import { IconButton } from '../common/IconButton';

/** The drag-and-drop payload type of a palette item: the node type to create. */
export const PALETTE_MIME = 'application/x-sopflow-node';

/**
 * Every node type, to drag onto the canvas (or click: added in view, for keyboard users). Folded,
 * only the icons show, each named by its tooltip.
 */
export function Palette({
  onAdd,
  folded,
  onFold,
}: {
  onAdd: (type: NodeType) => void;
  folded: boolean;
  onFold: () => void;
}) {
  const { t, locale } = useLocale();
  const onDragStart = (event: DragEvent, type: NodeType) => {
    event.dataTransfer.setData(PALETTE_MIME, type);
    event.dataTransfer.effectAllowed = 'copy';
  };
  return (
    <nav
      className={`palette${folded ? ' palette--folded' : ''}`}
      aria-label={t.palette}
      data-testid="palette"
    >
      <div className="palette__top">
        {!folded && <h2>{t.palette}</h2>}
        <IconButton
          label={folded ? t.panels.showPalette : t.panels.hidePalette}
          onClick={onFold}
          aria-expanded={!folded}
          data-testid="fold-palette"
        >
          {folded ? <ChevronsRight size={14} /> : <ChevronsLeft size={14} />}
        </IconButton>
      </div>
      {!folded && <p className="palette__hint muted">{t.paletteHint}</p>}
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
              title={
                folded ? `${nodeLabel(type, locale)}: ${nodeHint(type, locale)}` : nodeHint(type, locale)
              }
              aria-label={folded ? nodeLabel(type, locale) : undefined}
            >
              <NodeIcon type={type} />
              {!folded && (
                <span className="palette__text">
                  <span className="palette__name">{nodeLabel(type, locale)}</span>
                  <span className="palette__desc">{nodeHint(type, locale)}</span>
                </span>
              )}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
