import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';
import { workflowBundle } from './worker';

/**
 * The workflow sandbox evaluates every module the workflow code imports once per run it keeps in
 * its cache, so each module here is paid per waiting contact (with all of `@sopflow/core` in the
 * bundle a cached run held about 2 MiB; 10,000 waiting contacts ran a worker out of memory). The
 * workflow code imports `@sopflow/core/interpreter`; this keeps it that way.
 */
describe('the workflow bundle', () => {
  it('holds the interpreter and what it runs on, not the schema, templates or compiler', async () => {
    const { code } = await workflowBundle();
    const modules = [...code.matchAll(/^\/\*\*\*\/ "\.\/([^"]+)"$/gm)].map((m) => m[1]!);
    expect(modules.length).toBeGreaterThan(10);

    const packages = new Set(
      modules
        .filter((id) => id.includes('node_modules/'))
        .map((id) => {
          const parts = id.split('node_modules/').at(-1)!.split('/');
          return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
        }),
    );
    const unexpectedPackages = [...packages].filter(
      (name) => !name.startsWith('@temporalio/') && !['luxon', 'long', 'nexus-rpc', 'ms'].includes(name),
    );
    expect(unexpectedPackages).toEqual([]);

    const engineModules = modules.filter((id) => id.startsWith('engine/'));
    // The interpreter dispatches to each node type's run semantics (nodes/<type>/run.ts, gathered
    // by nodes/semantics.ts), never to its definition (nodes/<type>/definition.ts holds zod).
    const outsideInterpreter = engineModules.filter(
      (id) =>
        !id.startsWith('engine/core/src/interpreter/') &&
        !/^engine\/core\/src\/nodes\/[a-z_]+\/run\.ts$/.test(id) &&
        ![
          'engine/core/src/nodes/semantics.ts',
          'engine/core/src/flow/contact-addresses.ts',
          'engine/core/src/flow/duration.ts',
          'engine/core/src/flow/evaluate-condition.ts',
          'engine/core/src/flow/local-time.ts',
        ].includes(id),
    );
    expect(outsideInterpreter).toEqual([]);
  }, 120_000);

  it("carries the product workflows and not the benchmarks' baseline", async () => {
    const { code } = await workflowBundle();
    for (const workflow of ['contactFlow', 'campaign', 'connectorJob']) expect(code).toContain(workflow);
    expect(code).not.toContain('benchBaseline');
  }, 120_000);
});

describe('the worker cache setting', () => {
  it('leaves the cache size to the SDK unless set, and refuses what Temporal refuses', () => {
    expect(loadConfig({}).SOPFLOW_WORKER_CACHED_RUNS).toBeUndefined();
    expect(loadConfig({ SOPFLOW_WORKER_CACHED_RUNS: '' }).SOPFLOW_WORKER_CACHED_RUNS).toBeUndefined();
    expect(loadConfig({ SOPFLOW_WORKER_CACHED_RUNS: '500' }).SOPFLOW_WORKER_CACHED_RUNS).toBe(500);
    expect(loadConfig({ SOPFLOW_WORKER_CACHED_RUNS: '0' }).SOPFLOW_WORKER_CACHED_RUNS).toBe(0);
    expect(() => loadConfig({ SOPFLOW_WORKER_CACHED_RUNS: '1' })).toThrow(/SOPFLOW_WORKER_CACHED_RUNS/);
    expect(() => loadConfig({ SOPFLOW_WORKER_CACHED_RUNS: '-5' })).toThrow(/SOPFLOW_WORKER_CACHED_RUNS/);
  });
});
