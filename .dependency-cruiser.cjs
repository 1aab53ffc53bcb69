// The import rules of sopflow's layout (README, "The map of the code"), checked by `npm run lint`.
// Paths are from the repository root; workspace packages resolve to their folders, so a rule about
// `engine/server/` also catches `import … from '@sopflow/server'`. Tests and test support may reach
// anywhere; the rules are about production code. `.dependency-cruiser-known-violations.json` lists
// what the restructure has not moved yet: a violation not on that list fails the check.

const PRODUCTION =
  '\\.test\\.tsx?$|/test-support\\.ts$|-fake\\.ts$|/fakes/|fake-[^/]+\\.ts$|^connectors/src/.*-test-server\\.ts$';

/**
 * A rule about production code: files under `from` (a path pattern, or a `from` object as
 * dependency-cruiser takes it) must not have a dependency matching `to`.
 */
const rule = (name, comment, from, to) => ({
  name,
  severity: 'error',
  comment,
  from: typeof from === 'string' ? { path: from, pathNot: PRODUCTION } : from,
  to,
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    rule(
      'no-cycle-between-packages',
      'Packages form layers: core ← workflows ← server, core ← builder-ui, connectors ← server.',
      '^(engine/core|engine/server|workflows|connectors|builder-ui)/',
      { circular: true, viaSomeNot: '^$1/' },
    ),
    rule(
      'core-is-browser-safe',
      'The core runs in the browser, the workflow sandbox and the server: it imports only itself, zod, luxon and LiquidJS (no Node modules, no Temporal, no I/O).',
      '^engine/core/src/',
      { pathNot: '^engine/core/src/|node_modules/(zod|luxon|liquidjs)/' },
    ),
    rule(
      'interpreter-is-pure',
      "The interpreter and each node type's run semantics (nodes/<type>/run.ts, nodes/semantics.ts) are what the workflow sandbox evaluates per cached run: no schema (zod), node definitions, templates, compiler or simulator at run time.",
      '^engine/core/src/(interpreter/|nodes/[^/]+/run\\.ts$|nodes/semantics\\.ts$)',
      {
        path: 'node_modules/(zod|liquidjs)/|^engine/core/src/(simulate|templates)/|^engine/core/src/flow/(compile|fields|schema|template|warnings)\\.ts$|^engine/core/src/nodes/([^/]+/definition|define|index)\\.ts$',
        dependencyTypesNot: ['type-only'],
      },
    ),
    rule(
      'workflows-import-only-the-interpreter',
      'Workflow code is deterministic and bundled per run: it imports the interpreter entry and @temporalio/workflow, nothing of the server, connectors or the full core.',
      '^workflows/src/',
      {
        pathNot:
          '^workflows/src/|^engine/core/src/interpreter/index\\.ts$|node_modules/@temporalio/(workflow|common)/',
      },
    ),
    rule(
      'connectors-stay-in-their-folder',
      'A connector imports the connector interface, the shared provider helpers and its own folder: never the server, workflows, the builder or another connector.',
      '^connectors/src/([^/]+)/',
      {
        path: '^(engine|workflows|builder-ui)/|^connectors/src/[^/]+/',
        pathNot: '^connectors/src/($1|shared)/',
      },
    ),
    rule(
      'sql-only-in-persistence',
      'Every SQL statement lives in the persistence layer (engine/server/src/persistence/).',
      { pathNot: `^engine/server/src/persistence/|^test/|${PRODUCTION}` },
      { path: 'node_modules/postgres/' },
    ),
    rule(
      'temporal-client-only-in-gateway',
      'Every use of @temporalio/client goes through the Temporal gateway (engine/server/src/temporal/).',
      { pathNot: `^engine/server/src/temporal/|^test/|${PRODUCTION}` },
      { path: 'node_modules/@temporalio/client/' },
    ),
    rule(
      'builder-imports-only-the-core',
      'The builder runs in the browser: it reaches the server over HTTP only, never its code, Postgres, Temporal or Node modules.',
      '^builder-ui/src/',
      { path: '^(engine/server|workflows|connectors)/|node_modules/(postgres|@temporalio|hono|@hono)/' },
    ),
    rule(
      'browser-code-has-no-node-built-ins',
      'Node built-ins do not exist in the browser.',
      '^(builder-ui/src|engine/core/src)/',
      { dependencyTypes: ['core'] },
    ),
    rule(
      'nothing-imports-the-builder',
      'The server serves the built builder as files; no code imports it.',
      '^(engine|workflows|connectors)/',
      { path: '^builder-ui/' },
    ),
    rule(
      'server-parts-stay-apart',
      'Persistence and the Temporal gateway are the two ports of the server: neither calls the other or the routes.',
      '^engine/server/src/(persistence|temporal)/',
      { path: '^engine/server/src/(api|activities|cli)/' },
    ),
    rule(
      'no-test-code-in-production',
      'Tests, test support and fake providers are for tests: production code never loads them.',
      { pathNot: `^test/|${PRODUCTION}` },
      { path: PRODUCTION },
    ),
    rule(
      'not-to-unresolvable',
      'An import that resolves to nothing is a typo or a missing dependency.',
      { pathNot: PRODUCTION },
      { couldNotResolve: true },
    ),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|\\.cache|\\.data)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.json'],
    },
    moduleSystems: ['es6'],
  },
};
