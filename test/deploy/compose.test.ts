import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigSchema } from '@sopflow/server';
import { SEARCH_ATTRIBUTES } from '@sopflow/workflows';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ComposeSpec,
  composeConfig,
  envFileNames,
  imageTag,
  parseComposeSpec,
  repoRoot,
  type ServiceSpec,
  withEnv,
} from './compose-spec';

/**
 * docker-compose.yml, checked through `docker-compose config` (which validates the file and resolves
 * variables, anchors and env files) with .env.example as the `.env`. No Docker engine is needed.
 */

const envExample = readFileSync(path.join(repoRoot, '.env.example'), 'utf8');
const composeText = readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8');
const TEST_PASSWORD = 'compose-test-password';

const SERVICES = [
  'postgres',
  'temporal-schema',
  'temporal',
  'temporal-ui',
  'temporal-setup',
  'api',
  'worker',
];
const LONG_RUNNING = ['postgres', 'temporal', 'temporal-ui', 'api', 'worker'];

let spec: ComposeSpec;
const service = (name: string): ServiceSpec => {
  const found = spec.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
};

beforeAll(async () => {
  const result = await composeConfig(withEnv(envExample, 'POSTGRES_PASSWORD', TEST_PASSWORD));
  if (!result.ok || !result.json) {
    throw new Error(`docker-compose config rejected docker-compose.yml:\n${result.stderr}${result.stdout}`);
  }
  spec = parseComposeSpec(result.json);
});

describe('docker-compose.yml', () => {
  it('has the services of a sopflow server', () => {
    expect(Object.keys(spec.services).sort()).toEqual([...SERVICES].sort());
  });

  it('pins every image to a version (no latest, no missing tag)', () => {
    for (const [name, s] of Object.entries(spec.services)) {
      expect(s.image, `${name} has an image`).toBeTruthy();
      const { tag } = imageTag(s.image!);
      expect(tag, `${name}: ${s.image} has a tag`).toBeTruthy();
      expect(tag, `${name}: ${s.image}`).not.toBe('latest');
      // Pulled images name a version; the image built here (api, worker) only needs a fixed tag.
      if (s.build === undefined) expect(tag, `${name}: ${s.image} names a version`).toMatch(/^\d+\.\d+/);
    }
    // The server image, not auto-setup (which Temporal meant for development).
    expect(service('temporal').image).toMatch(/^temporalio\/server:1\.2\d\./);
    expect(composeText).not.toContain('auto-setup:');
    expect(service('postgres').image).toMatch(/^postgres:16\.\d+-alpine$/);
  });

  it('refuses to start without a Postgres password rather than defaulting one', async () => {
    const result = await composeConfig(envExample);
    expect(result.ok).toBe(false);
    expect(result.stderr + result.stdout).toContain('POSTGRES_PASSWORD');
    expect(composeText).not.toMatch(/^\s*POSTGRES_(PASSWORD|PWD):\s*["']?[^$\s"']/m);
  });

  it('runs postgres with a named volume, a healthcheck and the sopflow database', () => {
    const postgres = service('postgres');
    expect(postgres.volumes).toContainEqual({
      type: 'volume',
      source: 'postgres-data',
      target: '/var/lib/postgresql/data',
    });
    expect(spec.volumes).toContain('postgres-data');
    expect(postgres.environment.POSTGRES_PASSWORD).toBe(TEST_PASSWORD);
    expect(postgres.environment.POSTGRES_DB).toBe('sopflow');
    expect(postgres.healthcheck?.test.join(' ')).toContain('pg_isready');
    expect(postgres.ports).toEqual([]);
  });

  it('runs temporal on that postgres, healthy only when the cluster serves', () => {
    const temporal = service('temporal');
    expect(temporal.environment).toMatchObject({
      DB: 'postgres12',
      POSTGRES_SEEDS: 'postgres',
      POSTGRES_PWD: TEST_PASSWORD,
      DBNAME: 'temporal',
      VISIBILITY_DBNAME: 'temporal_visibility',
    });
    // The server image creates no namespace: temporal-setup does, with its retention.
    expect(temporal.environment.DEFAULT_NAMESPACE).toBeUndefined();
    expect(temporal.dependsOn).toEqual({
      postgres: 'service_healthy',
      'temporal-schema': 'service_completed_successfully',
    });
    expect(temporal.healthcheck?.test.join(' ')).toMatch(/temporal operator cluster health/);
    // gRPC is published on loopback only.
    for (const port of temporal.ports) expect(port.hostIp).toBe('127.0.0.1');
  });

  it("sets up Temporal's schemas first, in a one-shot step of the admin tools of the server's version", () => {
    const schema = service('temporal-schema');
    expect(schema.restart).toBe('no');
    expect(schema.dependsOn).toEqual({ postgres: 'service_healthy' });
    const serverVersion = imageTag(service('temporal').image!).tag ?? 'untagged';
    expect(schema.image).toMatch(
      new RegExp(`^temporalio/admin-tools:${serverVersion.replace(/\./g, '\\.')}-`),
    );
    expect(schema.environment).toMatchObject({
      SQL_PLUGIN: 'postgres12',
      SQL_HOST: 'postgres',
      SQL_PASSWORD: TEST_PASSWORD,
    });
    // As `docker-compose config` prints it: `$$` is a literal `$` in the container's shell.
    const script = [...(schema.entrypoint ?? []), ...(schema.command ?? [])].join('\n');
    expect(script).toContain('temporal-sql-tool --db "$$1" setup-schema -v 0.0');
    expect(script).toContain(
      'temporal-sql-tool --db "$$1" update-schema -d "/etc/temporal/schema/postgresql/v12/$$2/versioned"',
    );
    expect(script).toMatch(/^schema temporal temporal$/m);
    expect(script).toMatch(/^schema temporal_visibility visibility$/m);
  });

  it("sets the namespace's retention when it creates the namespace and on every later start", () => {
    const setup = service('temporal-setup');
    expect(setup.environment.SOPFLOW_NAMESPACE_RETENTION).toBe('720h');
    const script = [...(setup.entrypoint ?? []), ...(setup.command ?? [])].join('\n');
    expect(script).toContain(
      'temporal operator namespace create --namespace "$$ns" --retention "$$retention"',
    );
    expect(script).toContain(
      'temporal operator namespace update --namespace "$$ns" --retention "$$retention"',
    );
  });

  it('serves the Temporal UI on TEMPORAL_UI_PORT, bound to loopback by default', () => {
    const ui = service('temporal-ui');
    expect(ui.environment.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(ui.ports).toEqual([
      expect.objectContaining({ hostIp: '127.0.0.1', published: '8233', target: 8080 }),
    ]);
    // Encrypted payloads are decoded by sopflow's codec endpoint, with the session cookie.
    expect(ui.environment.TEMPORAL_CODEC_ENDPOINT).toMatch(/^https?:\/\/.+\/api\/temporal-codec$/);
    expect(ui.environment.TEMPORAL_CODEC_INCLUDE_CREDENTIALS).toBe('true');
  });

  it('registers exactly the search attributes the workflows use, once, before the api and workers start', () => {
    const setup = service('temporal-setup');
    expect(setup.restart).toBe('no');
    expect(setup.dependsOn).toEqual({ temporal: 'service_healthy' });
    expect(setup.image).toMatch(/^temporalio\/admin-tools:/);
    const script = [...(setup.entrypoint ?? []), ...(setup.command ?? [])].join('\n');
    expect(script).toContain('temporal operator search-attribute create');
    expect(script).toContain('--namespace');
    const added = Object.fromEntries(
      [...script.matchAll(/^\s*add\s+(\S+)\s+(\S+)\s*$/gm)].map((m) => [m[1], m[2]]),
    );
    expect(added).toEqual(SEARCH_ATTRIBUTES);
    expect([...script.matchAll(/^\s*add\s/gm)]).toHaveLength(Object.keys(SEARCH_ATTRIBUTES).length);
  });

  it('starts the api and workers only after postgres is healthy and setup has finished', () => {
    for (const name of ['api', 'worker']) {
      expect(service(name).dependsOn, name).toMatchObject({
        postgres: 'service_healthy',
        'temporal-setup': 'service_completed_successfully',
      });
    }
  });

  it('runs the api from the built image, reachable and health-checked', () => {
    const api = service('api');
    expect(api.build).toBeDefined();
    expect(api.command).toEqual(['node', 'engine/server/bin/sopflow.js', 'api']);
    expect(api.environment).toMatchObject({
      SOPFLOW_HOST: '0.0.0.0',
      SOPFLOW_PORT: '3000',
      TEMPORAL_ADDRESS: 'temporal:7233',
      DATABASE_URL: `postgres://sopflow:${TEST_PASSWORD}@postgres:5432/sopflow`,
    });
    expect(api.ports).toEqual([expect.objectContaining({ published: '3000', target: 3000 })]);
    expect(api.healthcheck?.disable).not.toBe(true);
    expect(api.healthcheck?.test.join(' ')).toContain('/api/health');
  });

  it('keeps the worker scalable: same image, no name, no ports, no state', () => {
    const worker = service('worker');
    const api = service('api');
    expect(worker.image).toBe(api.image);
    expect(worker.command).toEqual(['node', 'engine/server/bin/sopflow.js', 'worker']);
    expect(worker.containerName).toBeUndefined();
    expect(worker.ports).toEqual([]);
    expect(worker.volumes).toEqual([]);
    expect(worker.environment).toMatchObject({
      TEMPORAL_ADDRESS: 'temporal:7233',
      DATABASE_URL: `postgres://sopflow:${TEST_PASSWORD}@postgres:5432/sopflow`,
    });
    for (const [name, s] of Object.entries(spec.services)) {
      expect(s.containerName, `${name} has no container_name`).toBeUndefined();
    }
  });

  it('restarts long-running services and has healthchecks on postgres, temporal and the api', () => {
    for (const name of LONG_RUNNING) expect(service(name).restart, name).toBe('unless-stopped');
    for (const name of ['postgres', 'temporal', 'api']) {
      expect(service(name).healthcheck?.test.length, `${name} healthcheck`).toBeGreaterThan(0);
    }
  });
});

describe('.env.example', () => {
  const names = envFileNames(envExample);

  it('lists every setting in config.ts', () => {
    const settings = Object.keys(ConfigSchema.shape);
    expect(settings.length).toBeGreaterThan(0);
    for (const name of settings) expect(names, `${name} is in .env.example`).toContain(name);
  });

  it('documents each variable with a comment line above it', () => {
    const lines = envExample.split('\n');
    for (const [i, line] of lines.entries()) {
      if (!/^[A-Z_]+=/.test(line)) continue;
      expect(lines[i - 1], `comment above ${line}`).toMatch(/^#\s*\S/);
    }
  });

  it('lists the compose variables too, with no secret filled in', () => {
    expect(names).toEqual(expect.arrayContaining(['POSTGRES_USER', 'POSTGRES_PASSWORD']));
    expect(envExample).toMatch(/^POSTGRES_PASSWORD=$/m);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
  const dockerignore = readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8').split('\n');

  it('builds on a pinned Node 20 (>= 20.19) slim image and runs the api as the node user', () => {
    const version = /^ARG NODE_VERSION=(\d+)\.(\d+)\.(\d+)$/m.exec(dockerfile);
    expect(version).not.toBeNull();
    const [, major, minor] = version!.map(Number);
    expect(major).toBe(20);
    expect(minor).toBeGreaterThanOrEqual(19);
    expect(dockerfile).toMatch(/^FROM node:\$\{NODE_VERSION\}-bookworm-slim AS runtime$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^ENV NODE_ENV=production$/m);
    expect(dockerfile).toMatch(/^EXPOSE 3000$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "engine\/server\/bin\/sopflow.js", "api"\]$/m);
    expect(dockerfile).toContain('COPY --from=build /app/builder-ui/dist builder-ui/dist');
  });

  it('keeps dependencies, local state and secrets out of the build context', () => {
    for (const entry of ['**/node_modules', '.cache', '.data', '**/dist', '.git', '.env']) {
      expect(dockerignore, entry).toContain(entry);
    }
  });
});
