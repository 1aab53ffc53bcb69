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

/** The most time one render may take, in milliseconds. */
export const RENDER_LIMIT_MS = 1000;

/** Tags that pull in other files: refused when a template is parsed, so none ever looks for one. */
const FILE_TAGS = ['include', 'render', 'layout'];

function makeEngine(escapeHtml: boolean): Liquid {
  const engine = new Liquid({
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
    renderLimit: RENDER_LIMIT_MS,
    parseLimit: 100_000,
    memoryLimit: 10_000_000,
  });
  // Liquid's `raw` filter skips output escaping. In HTML bodies every value is escaped, so contact
  // data cannot bring markup in: here `raw` changes nothing and the value is escaped like any other.
  if (escapeHtml) engine.registerFilter('raw', (value: unknown) => value);
  for (const tag of FILE_TAGS) {
    engine.registerTag(tag, {
      parse() {
        throw new Error(`{% ${tag} %} is not available: a message template cannot use other files.`);
      },
      render() {
        return '';
      },
    });
  }
  return engine;
}

const plainEngine = makeEngine(false);
const htmlEngine = makeEngine(true);

export type TemplateVariables = { ok: true; variables: string[] } | { ok: false; message: string };

/**
 * The variable paths a template reads from its data (e.g. `contact.name`), or why it does not
 * parse. Names the template defines itself (`{% for t in … %}`, `{% assign %}`, `forloop`) are
 * not data and are left out.
 */
export function templateVariables(text: string): TemplateVariables {
  try {
    const parsed = plainEngine.parse(text);
    return { ok: true, variables: plainEngine.globalFullVariablesSync(parsed) };
  } catch (error) {
    return { ok: false, message: `The message template does not parse: ${(error as Error).message}` };
  }
}

/** The data a template is rendered with: `{ contact, event, lastEvent, http, flow }` (see `renderData`). */
export type TemplateContext = object;

/**
 * Renders a template for one contact. `escapeHtml` escapes every output for HTML bodies;
 * `limitMs` lowers the time the render may take (never above `RENDER_LIMIT_MS`).
 * Throws when the template does not parse (the compiler has already refused such flows) or
 * when it passes a render limit.
 */
export function renderTemplate(
  text: string,
  context: TemplateContext,
  options: { escapeHtml?: boolean; limitMs?: number } = {},
): string {
  const engine = options.escapeHtml ? htmlEngine : plainEngine;
  const limit =
    options.limitMs === undefined ? undefined : Math.max(1, Math.min(RENDER_LIMIT_MS, options.limitMs));
  return engine.parseAndRenderSync(
    text,
    context as unknown as Record<string, unknown>,
    limit === undefined ? undefined : { renderLimit: limit },
  );
}
