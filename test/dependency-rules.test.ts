import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The layout's rules (.dependency-cruiser.cjs, and biome.json for the clock) are checked over the
 * real tree by `npm run lint`. Here each rule is shown to bite: a small tree in the same layout,
 * each file breaking one rule, is checked with the same configuration, and so is a file that keeps
 * every rule.
 */

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');

const probes: Record<string, string> = {
  // Kept within every rule: what each part may import.
  'engine/core/src/flow/compile.ts': `import { z } from 'zod';\nexport const compile = z.string();\n`,
  'engine/core/src/interpreter/index.ts': `import type { compile } from '../flow/compile';\nexport type Compile = typeof compile;\nexport const advance = (at: number) => at + 1;\n`,
  'workflows/src/contact-flow.ts': `import { sleep } from '@temporalio/workflow';\nimport { advance } from '../../engine/core/src/interpreter/index';\nexport const run = () => sleep(advance(1));\n`,
  'connectors/src/connector.ts': `export interface Connector { send(): Promise<void> }\n`,
  'connectors/src/shared/http.ts': `export const request = () => 'ok';\n`,
  'connectors/src/sms/http.ts': `import { request } from '../shared/http';\nimport type { Connector } from '../connector';\nexport const send: Connector['send'] = async () => { request(); };\n`,
  'engine/server/src/persistence/contacts.ts': `import postgres from 'postgres';\nexport const sql = postgres();\n`,
  'engine/server/src/temporal/gateway.ts': `import { Client } from '@temporalio/client';\nexport const client = () => new Client();\n`,
  'engine/server/src/api/routes/contacts.ts': `import { sql } from '../../persistence/contacts';\nimport { client } from '../../temporal/gateway';\nexport const route = () => [sql, client];\n`,
  'builder-ui/src/App.tsx': `import { compile } from '../../engine/core/src/flow/compile';\nexport const App = () => compile;\n`,
  'engine/core/src/nodes/wait/definition.ts': `import { z } from 'zod';\nexport const WaitNode = z.object({ type: z.literal('wait') });\n`,
  'engine/core/src/nodes/wait/run.ts': `import type { WaitNode } from './definition';\nimport { advance } from '../../interpreter/index';\nexport const waitRun = (node: typeof WaitNode) => [node, advance];\n`,

  // Each breaks one rule.
  'engine/core/src/flow/reads-files.ts': `import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n`,
  'engine/core/src/flow/starts-workflows.ts': `import { Client } from '@temporalio/client';\nexport const c = Client;\n`,
  'engine/core/src/interpreter/compiles.ts': `import { compile } from '../flow/compile';\nexport const c = compile;\n`,
  'engine/core/src/nodes/split/run.ts': `import { split } from './definition';\nexport const splitRun = split;\n`,
  'engine/core/src/nodes/split/definition.ts': `export const split = 'split';\n`,
  'engine/core/src/interpreter/reads-definitions.ts': `import { WaitNode } from '../nodes/wait/definition';\nexport const w = WaitNode;\n`,
  'engine/core/src/interpreter/reads-the-clock.ts': `export const now = () => Date.now();\nexport const chance = () => Math.random();\nexport const larger = Math.max(1, 2);\n`,
  'workflows/src/sends-itself.ts': `import { send } from '../../connectors/src/sms/http';\nexport const s = send;\n`,
  'connectors/src/official-account/borrows-sms.ts': `import { send } from '../sms/http';\nexport const s = send;\n`,
  'connectors/src/wecom/reads-the-server.ts': `import { route } from '../../../engine/server/src/api/routes/contacts';\nexport const r = route;\n`,
  'engine/server/src/api/routes/writes-sql.ts': `import postgres from 'postgres';\nexport const sql = postgres();\n`,
  'engine/server/src/api/routes/starts-workflows.ts': `import { Client } from '@temporalio/client';\nexport const c = () => new Client();\n`,
  'engine/server/src/persistence/calls-a-route.ts': `import { route } from '../api/routes/contacts';\nexport const r = route;\n`,
  'engine/server/src/typo.ts': `import { nothing } from './no-such-module';\nexport const n = nothing;\n`,
  'builder-ui/src/reads-the-database.ts': `import { sql } from '../../engine/server/src/persistence/contacts';\nexport const s = sql;\n`,
  'engine/server/src/serves-the-builder.ts': `import { App } from '../../../builder-ui/src/App';\nexport const a = App;\n`,
  // A cycle between packages: each side also breaks its own layer rule.
  'engine/core/src/cycle-core.ts': `import { w } from '../../../workflows/src/cycle-workflows';\nexport const c = () => w;\n`,
  'workflows/src/cycle-workflows.ts': `import { c } from '../../engine/core/src/cycle-core';\nexport const w = () => c;\n`,
};

interface Violation {
  rule: string;
  from: string;
  to: string;
}

let dir: string;
let violations: Violation[];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sopflow-rules-'));
  for (const [file, text] of Object.entries(probes)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  for (const file of ['.dependency-cruiser.cjs', 'tsconfig.json', 'biome.json', 'lint']) {
    cpSync(path.join(root, file), path.join(dir, file), { recursive: true });
  }
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  const { stdout } = await run(
    path.join(root, 'node_modules/.bin/depcruise'),
    [
      'engine',
      'workflows',
      'connectors',
      'builder-ui',
      '--config',
      '.dependency-cruiser.cjs',
      '--output-type',
      'json',
    ],
    { cwd: dir, maxBuffer: 64 * 1024 * 1024 },
  ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  const result = JSON.parse(stdout) as {
    summary: { violations: { rule: { name: string }; from: string; to: string }[] };
  };
  violations = result.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to }));
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const rulesBrokenBy = (file: string) =>
  [...new Set(violations.filter((v) => v.from === file).map((v) => v.rule))].sort();

describe('the import rules', () => {
  it('let every part import what the layout allows', () => {
    const allowed = Object.keys(probes).slice(0, 12);
    expect(violations.filter((v) => allowed.includes(v.from))).toEqual([]);
  });

  it.each([
    ['engine/core/src/flow/reads-files.ts', ['browser-code-has-no-node-built-ins', 'core-is-browser-safe']],
    ['engine/core/src/flow/starts-workflows.ts', ['core-is-browser-safe', 'temporal-client-only-in-gateway']],
    ['engine/core/src/interpreter/compiles.ts', ['interpreter-is-pure']],
    ['engine/core/src/nodes/split/run.ts', ['interpreter-is-pure']],
    ['engine/core/src/interpreter/reads-definitions.ts', ['interpreter-is-pure']],
    ['workflows/src/sends-itself.ts', ['workflows-import-only-the-interpreter']],
    ['connectors/src/official-account/borrows-sms.ts', ['connectors-stay-in-their-folder']],
    ['connectors/src/wecom/reads-the-server.ts', ['connectors-stay-in-their-folder']],
    ['engine/server/src/api/routes/writes-sql.ts', ['sql-only-in-persistence']],
    ['engine/server/src/api/routes/starts-workflows.ts', ['temporal-client-only-in-gateway']],
    ['engine/server/src/persistence/calls-a-route.ts', ['server-parts-stay-apart']],
    ['engine/server/src/typo.ts', ['not-to-unresolvable']],
    ['builder-ui/src/reads-the-database.ts', ['builder-imports-only-the-core']],
    ['engine/server/src/serves-the-builder.ts', ['nothing-imports-the-builder']],
  ])('refuse %s', (file, rules) => {
    expect(rulesBrokenBy(file)).toEqual(rules);
  });

  it('refuse a cycle between packages, named once from one of its sides', () => {
    const sides = ['engine/core/src/cycle-core.ts', 'workflows/src/cycle-workflows.ts'];
    const rules = sides.flatMap(rulesBrokenBy);
    expect(rules.filter((rule) => rule === 'no-cycle-between-packages')).toHaveLength(1);
    expect(rules).toContain('core-is-browser-safe');
    expect(rules).toContain('workflows-import-only-the-interpreter');
  });
});

describe('the clock rule', () => {
  it('refuses the clock and chance in the interpreter, and only there', async () => {
    const lint = await run(
      path.join(root, 'node_modules/.bin/biome'),
      ['lint', '--vcs-enabled=false', '--max-diagnostics=100', 'engine', 'workflows'],
      { cwd: dir, maxBuffer: 16 * 1024 * 1024 },
    ).then(
      () => ({ output: '', failed: false }),
      (error: { stdout?: string; stderr?: string }) => ({
        output: `${error.stdout ?? ''}${error.stderr ?? ''}`,
        failed: true,
      }),
    );
    expect(lint.failed).toBe(true);
    const flagged = [...lint.output.matchAll(/^(\S+\.ts):(\d+):\d+ plugin/gm)].map((m) => `${m[1]}:${m[2]}`);
    expect(flagged.sort()).toEqual([
      'engine/core/src/interpreter/reads-the-clock.ts:1',
      'engine/core/src/interpreter/reads-the-clock.ts:2',
    ]);
  });
});
