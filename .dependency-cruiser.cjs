// The import rules of sopflow's layout (README, "The map of the code"), checked by `npm run lint`.
// Paths are from the repository root; workspace packages resolve to their folders, so a rule about
// `engine/server/` also catches `import … from '@sopflow/server'`. Tests and test support may reach
// anywhere; the rules are about production code. `.dependency-cruiser-known-violations.json` lists
// what the restructure has not moved yet: a violation not on that list fails the check.

const PRODUCTION =
  '\\.test\\.tsx?$|/test-support\\.ts$|-fake\\.ts$|/fakes/|fake-[^/]+\\.ts$|^connectors/src/.*-test-server\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycle-between-packages',
      severity: 'error',
      comment: 'Packages form layers: core ← workflows ← server, core ← builder-ui, connectors ← server.',
      from: { path: '^(engine/core|engine/server|workflows|connectors|builder-ui)/', pathNot: PRODUCTION },
      to: { circular: true, viaSomeNot: '^$1/' },
    },
    {
      name: 'core-is-browser-safe',
      severity: 'error',
      comment:
        'The core runs in the browser, the workflow sandbox and the server: it imports only itself, zod, luxon and LiquidJS (no Node modules, no Temporal, no I/O).',
      from: { path: '^engine/core/src/', pathNot: PRODUCTION },
      to: { pathNot: '^engine/core/src/|node_modules/(zod|luxon|liquidjs)/' },
    },
    {
      name: 'interpreter-is-pure',
      severity: 'error',
      comment:
        "The interpreter and each node type's run semantics (nodes/<type>/run.ts, nodes/semantics.ts) are what the workflow sandbox evaluates per cached run: no schema (zod), node definitions, templates, compiler or simulator at run time.",
      from: {
        path: '^engine/core/src/(interpreter/|nodes/[^/]+/run\\.ts$|nodes/semantics\\.ts$)',
        pathNot: PRODUCTION,
      },
      to: {
        path: 'node_modules/(zod|liquidjs)/|^engine/core/src/(simulate|templates)/|^engine/core/src/flow/(compile|fields|schema|template|warnings)\\.ts$|^engine/core/src/nodes/([^/]+/definition|define|index)\\.ts$',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'workflows-import-only-the-interpreter',
      severity: 'error',
      comment:
        'Workflow code is deterministic and bundled per run: it imports the interpreter entry and @temporalio/workflow, nothing of the server, connectors or the full core.',
      from: { path: '^workflows/src/', pathNot: PRODUCTION },
      to: {
        pathNot:
          '^workflows/src/|^engine/core/src/interpreter/index\\.ts$|node_modules/@temporalio/(workflow|common)/',
      },
    },
    {
      name: 'connectors-stay-in-their-folder',
      severity: 'error',
      comment:
        'A connector imports the connector interface, the shared provider helpers and its own folder: never the server, workflows, the builder or another connector.',
      from: { path: '^connectors/src/([^/]+)/', pathNot: PRODUCTION },
      to: {
        path: '^(engine|workflows|builder-ui)/|^connectors/src/[^/]+/',
        pathNot: '^connectors/src/($1|shared)/',
      },
    },
    {
      name: 'sql-only-in-persistence',
      severity: 'error',
      comment: 'Every SQL statement lives in the persistence layer (engine/server/src/persistence/).',
      from: { pathNot: `^engine/server/src/persistence/|^test/|${PRODUCTION}` },
      to: { path: 'node_modules/postgres/' },
    },
    {
      name: 'temporal-client-only-in-gateway',
      severity: 'error',
      comment:
        'Every use of @temporalio/client goes through the Temporal gateway (engine/server/src/temporal/).',
      from: { pathNot: `^engine/server/src/temporal/|^test/|${PRODUCTION}` },
      to: { path: 'node_modules/@temporalio/client/' },
    },
    {
      name: 'builder-imports-only-the-core',
      severity: 'error',
      comment:
        'The builder runs in the browser: it reaches the server over HTTP only, never its code, Postgres, Temporal or Node modules.',
      from: { path: '^builder-ui/src/', pathNot: PRODUCTION },
      to: {
        path: '^(engine/server|workflows|connectors)/|node_modules/(postgres|@temporalio|hono|@hono)/',
      },
    },
    {
      name: 'browser-code-has-no-node-built-ins',
      severity: 'error',
      comment: 'Node built-ins do not exist in the browser.',
      from: { path: '^(builder-ui/src|engine/core/src)/', pathNot: PRODUCTION },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'nothing-imports-the-builder',
      severity: 'error',
      comment: 'The server serves the built builder as files; no code imports it.',
      from: { path: '^(engine|workflows|connectors)/', pathNot: PRODUCTION },
      to: { path: '^builder-ui/' },
    },
    {
      name: 'server-parts-stay-apart',
      severity: 'error',
      comment:
        'Persistence and the Temporal gateway are the two ports of the server: neither calls the other or the routes.',
      from: { path: '^engine/server/src/(persistence|temporal)/', pathNot: PRODUCTION },
      to: { path: '^engine/server/src/(api|activities|cli)/' },
    },
    {
      name: 'no-test-code-in-production',
      severity: 'error',
      comment: 'Tests, test support and fake providers are for tests: production code never loads them.',
      from: { pathNot: `^test/|${PRODUCTION}` },
      to: { path: PRODUCTION },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing is a typo or a missing dependency.',
      from: { pathNot: PRODUCTION },
      to: { couldNotResolve: true },
    },
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
