import { Liquid } from 'liquidjs';

/**
 * Message templates are Liquid (`{{ contact.name | default: "朋友" }}`): a well-known,
 * sandboxed language with filters and conditionals that cannot run code or read files.
 */

const noFileSystem = {
  // Templates are data from operators: `include` / `render` must never reach a disk.
  exists: async () => false,
  existsSync: () => false,
  readFile: async () => {
    throw new Error('Templates cannot include files.');
  },
  readFileSync: () => {
    throw new Error('Templates cannot include files.');
  },
  resolve: (_root: string, file: string) => file,
  sep: '/',
};

function makeEngine(escapeHtml: boolean): Liquid {
  return new Liquid({
    fs: noFileSystem,
    root: [],
    partials: [],
    relativeReference: false,
    dynamicPartials: false,
    ownPropertyOnly: true,
    strictFilters: true,
    strictVariables: false,
    outputEscape: escapeHtml ? 'escape' : undefined,
    // Bounds so a hostile template cannot make a worker spin.
    renderLimit: 1000,
    parseLimit: 100_000,
    memoryLimit: 10_000_000,
  });
}

const plainEngine = makeEngine(false);
const htmlEngine = makeEngine(true);

export type TemplateVariables = { ok: true; variables: string[] } | { ok: false; message: string };

/** The variable paths a template reads (e.g. `contact.name`), or why it does not parse. */
export function templateVariables(text: string): TemplateVariables {
  try {
    const parsed = plainEngine.parse(text);
    return { ok: true, variables: plainEngine.fullVariablesSync(parsed) };
  } catch (error) {
    return { ok: false, message: `The message template does not parse: ${(error as Error).message}` };
  }
}

/** The data a template is rendered with: `{ contact, event, lastEvent, http, flow }` (see `renderData`). */
export type TemplateContext = object;

/**
 * Renders a template for one contact. `escapeHtml` escapes every output for HTML bodies.
 * Throws when the template does not parse; the compiler has already refused such flows.
 */
export function renderTemplate(
  text: string,
  context: TemplateContext,
  options: { escapeHtml?: boolean } = {},
): string {
  const engine = options.escapeHtml ? htmlEngine : plainEngine;
  return engine.parseAndRenderSync(text, context as unknown as Record<string, unknown>);
}
