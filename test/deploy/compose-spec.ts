import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, where docker-compose.yml, Dockerfile and .env.example live. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const INSTALL_HINT =
  'docker-compose is not installed; the deploy tests need it to validate docker-compose.yml. ' +
  'Install it with `apt-get install -y docker-compose` (Debian/Ubuntu; .ci/run does this) ' +
  'or put Compose v2 on PATH as `docker-compose`.';

/** A port as compose publishes it, the same shape whichever Compose version printed it. */
export interface PublishedPort {
  hostIp?: string;
  published?: string;
  target: number;
}

/** A mount as compose resolved it. */
export interface Mount {
  type: 'volume' | 'bind';
  source?: string;
  target: string;
}

/** The parts of a resolved service the tests read; `raw` has everything compose printed. */
export interface ServiceSpec {
  image?: string;
  build?: unknown;
  command?: string[];
  entrypoint?: string[];
  environment: Record<string, string>;
  ports: PublishedPort[];
  volumes: Mount[];
  dependsOn: Record<string, string>;
  healthcheck?: { test: string[]; disable?: boolean };
  restart?: string;
  containerName?: string;
  raw: Record<string, unknown>;
}

export interface ComposeSpec {
  services: Record<string, ServiceSpec>;
  volumes: string[];
}

export interface ComposeResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], input?: string): Promise<ComposeResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new Error(file === 'docker-compose' ? INSTALL_HINT : `${file} not found`));
        return;
      }
      resolve({ ok: !error, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/**
 * Compose's major version: 1 for the Python docker-compose Debian ships, 2+ for the Go one (whose
 * builds from source answer `dev`; v1 always answers a number).
 */
async function composeMajor(): Promise<number> {
  const result = await run('docker-compose', ['version', '--short']);
  if (!result.ok) throw new Error(`docker-compose version failed: ${result.stderr || result.stdout}`);
  const match = /(\d+)\.\d+/.exec(result.stdout);
  return match ? Number(match[1]) : 2;
}

/**
 * Compose v1 prints `config` as YAML only. It is a Python program with PyYAML, so its own interpreter
 * (from its shebang line) turns that YAML into JSON: no YAML parser needed on the Node side.
 */
async function yamlToJsonWithComposeV1(yamlText: string): Promise<unknown> {
  const which = await run('sh', ['-c', 'command -v docker-compose']);
  const script = which.stdout.trim();
  const shebang = readFileSync(script, 'utf8').split('\n', 1)[0] ?? '';
  const python = /^#!\s*(\S*python\S*)/.exec(shebang)?.[1];
  if (!python)
    throw new Error(`${script} is Compose v1 but not a Python script; cannot read its YAML output`);
  const converted = await run(
    python,
    ['-c', 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'],
    yamlText,
  );
  if (!converted.ok)
    throw new Error(`converting docker-compose config output to JSON failed: ${converted.stderr}`);
  return JSON.parse(converted.stdout);
}

/**
 * Runs `docker-compose config` on a copy of docker-compose.yml in a temp dir whose `.env` is `envText`
 * (compose reads `.env` there both for `${...}` and as the services' env_file). Answers the raw result;
 * `json` is the resolved config when compose accepted the file.
 */
export async function composeConfig(envText: string): Promise<ComposeResult & { json?: unknown }> {
  const major = await composeMajor();
  const dir = mkdtempSync(path.join(tmpdir(), 'sopflow-compose-'));
  try {
    copyFileSync(path.join(repoRoot, 'docker-compose.yml'), path.join(dir, 'docker-compose.yml'));
    writeFileSync(path.join(dir, '.env'), envText);
    const base = ['--project-directory', dir, '-f', path.join(dir, 'docker-compose.yml'), 'config'];
    const result = await run('docker-compose', major >= 2 ? [...base, '--format', 'json'] : base);
    if (!result.ok) return result;
    const json = major >= 2 ? JSON.parse(result.stdout) : await yamlToJsonWithComposeV1(result.stdout);
    return { ...result, json };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function asStrings(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map(String);
  return [String(value)];
}

function parsePort(entry: unknown): PublishedPort {
  if (typeof entry === 'object' && entry !== null) {
    const p = entry as { host_ip?: string; published?: string | number; target: number };
    return {
      hostIp: p.host_ip,
      published: p.published === undefined ? undefined : String(p.published),
      target: Number(p.target),
    };
  }
  // Short syntax, which v1 prints for ports bound to an address: [ip:][published:]target[/protocol]
  const parts = String(entry)
    .replace(/\/\w+$/, '')
    .split(':');
  const target = Number(parts.pop());
  const published = parts.pop();
  return { hostIp: parts.pop(), published, target };
}

function parseMount(entry: unknown): Mount {
  if (typeof entry === 'object' && entry !== null) {
    const m = entry as { type: string; source?: string; target: string };
    return { type: m.type === 'bind' ? 'bind' : 'volume', source: m.source, target: m.target };
  }
  const [source, target] = String(entry).split(':');
  if (target === undefined) return { type: 'volume', target: source ?? '' };
  return { type: /^[./~]/.test(source ?? '') ? 'bind' : 'volume', source, target };
}

function parseDependsOn(value: unknown): Record<string, string> {
  if (Array.isArray(value)) return Object.fromEntries(value.map((name) => [String(name), 'service_started']));
  const out: Record<string, string> = {};
  for (const [name, spec] of Object.entries((value ?? {}) as Record<string, { condition?: string }>)) {
    out[name] = spec?.condition ?? 'service_started';
  }
  return out;
}

function parseEnvironment(value: unknown): Record<string, string> {
  if (Array.isArray(value)) {
    return Object.fromEntries(
      value.map((line) => {
        const [key, ...rest] = String(line).split('=');
        return [key, rest.join('=')];
      }),
    );
  }
  return Object.fromEntries(
    Object.entries((value ?? {}) as Record<string, unknown>).map(([k, v]) => [k, v == null ? '' : String(v)]),
  );
}

/** Normalises `docker-compose config` output (v1 YAML-as-JSON or v2 JSON) to one shape. */
export function parseComposeSpec(json: unknown): ComposeSpec {
  const doc = json as {
    services?: Record<string, Record<string, unknown>>;
    volumes?: Record<string, unknown>;
  };
  const services: Record<string, ServiceSpec> = {};
  for (const [name, raw] of Object.entries(doc.services ?? {})) {
    const healthcheck = raw.healthcheck as { test?: unknown; disable?: boolean } | undefined;
    services[name] = {
      image: raw.image as string | undefined,
      build: raw.build,
      command: asStrings(raw.command),
      entrypoint: asStrings(raw.entrypoint),
      environment: parseEnvironment(raw.environment),
      ports: ((raw.ports as unknown[] | undefined) ?? []).map(parsePort),
      volumes: ((raw.volumes as unknown[] | undefined) ?? []).map(parseMount),
      dependsOn: parseDependsOn(raw.depends_on),
      healthcheck: healthcheck
        ? { test: asStrings(healthcheck.test) ?? [], disable: healthcheck.disable }
        : undefined,
      restart: raw.restart as string | undefined,
      containerName: raw.container_name as string | undefined,
      raw,
    };
  }
  return { services, volumes: Object.keys(doc.volumes ?? {}) };
}

/** Splits an image reference into repository and tag (`undefined` when it has none). */
export function imageTag(image: string): { repository: string; tag?: string } {
  const withoutDigest = image.split('@')[0] ?? image;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  return colon === -1
    ? { repository: withoutDigest }
    : { repository: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1) };
}

/** The names assigned in an env file (`NAME=value` lines; comments and blanks skipped). */
export function envFileNames(text: string): string[] {
  return text
    .split('\n')
    .map((line) => /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
}

/** Sets (or adds) `NAME=value` in env file text. */
export function withEnv(text: string, name: string, value: string): string {
  const line = new RegExp(`^${name}=.*$`, 'm');
  return line.test(text) ? text.replace(line, `${name}=${value}`) : `${text.trimEnd()}\n${name}=${value}\n`;
}
