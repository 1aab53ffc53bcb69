import type { FlowDocumentInput } from '../flow/schema';

/**
 * Pieces the five operator templates share: the locales they are written in, the canvas grid,
 * edges, and the settings every template agrees on.
 */

export const TEMPLATE_LOCALES = ['zh', 'en'] as const;
export type TemplateLocale = (typeof TEMPLATE_LOCALES)[number];

export type NodeInput = FlowDocumentInput['nodes'][number];
export type EdgeInput = FlowDocumentInput['edges'][number];
export type SettingsInput = NonNullable<FlowDocumentInput['settings']>;

/** Canvas grid: columns 260 px apart (branches spread sideways), rows 140 px apart, top to bottom. */
export function at(column: number, row: number): { x: number; y: number } {
  return { x: column * 260, y: row * 140 };
}

/** A connection from `source`'s exit (`next` when left out) to `target`, with a stable id. */
export function link(source: string, target: string, exit?: string): EdgeInput {
  return exit === undefined || exit === 'next'
    ? { id: `${source}->${target}`, source, target }
    : { id: `${source}.${exit}->${target}`, source, sourceHandle: exit, target };
}

/** Every template's clock: content at fixed local times in the contact's zone, else Shanghai. */
export const TIMEZONE = 'Asia/Shanghai';

/**
 * Nothing at night, in every template: a send due between 22:00 and 08:00 (the contact's local
 * time) waits for 08:00. Group posts ping everyone in the group, so even the welcome waits.
 */
export const QUIET_HOURS = { start: '22:00', end: '08:00' } as const;
