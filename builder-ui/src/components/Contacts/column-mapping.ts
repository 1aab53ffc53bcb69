import { type ColumnAddressKind, type ContactColumns, columnTargets } from '@sopflow/core/api';
import { parse } from 'csv-parse/browser/esm/sync';

/** How many rows of a CSV the mapping shows. */
export const PREVIEW_ROWS = 5;

/** A CSV's header and first rows, read from its start (a cut last line is left out). */
export function previewCsv(start: string, complete: boolean): { headers: string[]; rows: string[][] } {
  const lines = complete ? start : start.slice(0, Math.max(0, start.lastIndexOf('\n')));
  const records = parse(lines, {
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    relax_quotes: true,
    to_line: PREVIEW_ROWS + 1,
  }) as string[][];
  const [headers = [], ...rows] = records;
  return { headers: headers.map((h) => h.trim()), rows };
}

/** The operator's mapping: which column is the contact's id, and what each column fills. */
export interface ColumnMapping {
  id: string | undefined;
  /** Header → target (`name`, `addresses.phone`, `attributes.城市`, `skip`). */
  fills: Record<string, string>;
}

/** The mapping the server would make by itself: the columns it knows by name, the rest as attributes. */
export function suggestedMapping(
  headers: readonly string[],
  kinds: readonly ColumnAddressKind[],
): ColumnMapping {
  const targets = columnTargets(headers, kinds);
  const id = headers.find((_, i) => targets[i]!.includes('id'));
  const fills = Object.fromEntries(
    headers.map((header, i) => [header, targets[i]!.find((t) => t !== 'id') ?? 'skip']),
  );
  return { id, fills };
}

/**
 * The operator's choices over the suggestion: the suggestion is made anew as the address kinds
 * load (a file picked before they did would otherwise keep a mapping without them).
 */
export function chosenMapping(suggested: ColumnMapping, chosen: Partial<ColumnMapping>): ColumnMapping {
  return {
    id: 'id' in chosen ? chosen.id : suggested.id,
    fills: { ...suggested.fills, ...chosen.fills },
  };
}

/** The mapping as the import's `columns`: every header named, the id column also filling what it fills. */
export function columnsOf(mapping: ColumnMapping, headers: readonly string[]): ContactColumns {
  return Object.fromEntries(
    headers.map((header) => {
      const targets = [
        ...(mapping.id === header ? ['id'] : []),
        ...(mapping.fills[header] && mapping.fills[header] !== 'skip' ? [mapping.fills[header]] : []),
      ];
      return [header, targets.length === 0 ? 'skip' : targets.length === 1 ? targets[0]! : targets];
    }),
  );
}
