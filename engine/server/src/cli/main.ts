import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultRegistry } from '@sopflow/connectors';
import {
  compile,
  describeOutcome,
  formatCompileError,
  formatTimeline,
  simulate,
  simulateCohort,
} from '@sopflow/core';
import { ContactAddressRules } from '../api/contact-addresses';
import { CODEC_PATH } from '../api/routes/temporal-codec';
import { ConfigError, loadConfig, publicApiUrl } from '../config';
import {
  connectDatabase,
  dataDir,
  isPortFree,
  migrate,
  repoRoot,
  startPostgres,
  startTemporalDevServer,
} from '../local-stack';
import { Accounts, Role } from '../persistence/accounts';
import { startApp } from '../start-app';
import { newPayloadKey } from '../temporal/payload-encryption';

/** The quotas per recipient the shipped connectors declare. */
const declaredLimits = () => defaultRegistry().limits();

const USAGE = `sopflow: draw community SOPs once, run them durably for every contact.

Usage:
  sopflow validate FILE.json [--json]   check a flow document; exit 1 when it has errors, 2 when unreadable
  sopflow simulate FILE.json --contact CONTACT.json [--events EVENTS.json] [--start ISO-TIME] [--json]
                                        dry-run: the timeline one contact would live, on a virtual clock
  sopflow simulate FILE.json --cohort N [--spec COHORT.json] [--seed S] [--json]
                                        N synthetic contacts: the funnel per step, outcomes, limit warnings
  sopflow dev                           the whole local stack: Temporal dev server + UI, Postgres, worker, API, builder
  sopflow api                           the API server only (TEMPORAL_ADDRESS and DATABASE_URL required)
  sopflow worker                        a Temporal worker only (TEMPORAL_ADDRESS and DATABASE_URL required)
  sopflow token create --role ROLE --name NAME [--expires-days N]
                                        an API token for scripts (viewer, operator or admin), printed once;
                                        uses DATABASE_URL, else the local stack's Postgres

Settings come from environment variables; see the README.`;

/** Reads and parses a JSON file, or explains why it cannot (exit code 2). */
function readJsonFile(file: string, what: string): { ok: true; value: unknown } | { ok: false } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const why =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    console.error(`sopflow: cannot read the ${what} ${file}: ${why}`);
    return { ok: false };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    console.error(`sopflow: the ${what} ${file} is not valid JSON: ${(error as Error).message}`);
    return { ok: false };
  }
}

function cohortCommand(
  file: string,
  values: { cohort?: string; spec?: string; seed?: string; start?: string; json?: boolean },
): number {
  const size = Number(values.cohort);
  if (!Number.isInteger(size) || size < 1 || size > 100_000) {
    console.error('sopflow simulate: --cohort takes a number of contacts from 1 to 100000');
    return 2;
  }
  const flow = readJsonFile(file, 'flow');
  const spec = values.spec ? readJsonFile(values.spec, 'cohort spec') : { ok: true as const, value: {} };
  if (!flow.ok || !spec.ok) return 2;
  const limits = declaredLimits();
  const compiled = compile(flow.value, { limits, reach: defaultRegistry().reach() });
  if (!compiled.ok) {
    for (const error of compiled.errors) console.log(formatCompileError(error));
    return 1;
  }
  const startAt = values.start ? Date.parse(values.start) : Date.now();
  const report = simulateCohort(compiled.plan, {
    limits,
    ...(spec.value as object),
    size,
    startAt,
    seed: values.seed ? Number(values.seed) : 1,
  });
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
    return 0;
  }
  console.log(
    `${size} contacts through "${compiled.plan.flowName}"\n\nstep                     entered   still there   left by`,
  );
  for (const step of report.funnel) {
    const tally = (counts: Record<string, number>) =>
      Object.entries(counts)
        .map(([key, n]) => `${key} ${n}`)
        .join(', ');
    // Sends of the step that did not go out, as production's statistics count them.
    const notSent = [
      ...(Object.keys(step.suppressed).length ? [`not sent: ${tally(step.suppressed)}`] : []),
      ...(Object.keys(step.held).length ? [`held: ${tally(step.held)}`] : []),
    ];
    console.log(
      `${step.nodeId.padEnd(24)} ${String(step.entered).padStart(7)}   ${String(step.stillThere).padStart(11)}   ${tally(step.left)}${notSent.length ? `   (${notSent.join('; ')})` : ''}`,
    );
  }
  console.log(
    `\noutcomes: ${Object.entries(report.outcomes)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
  );
  for (const warning of report.warnings) console.log(`warning: ${warning.message}`);
  return 0;
}

async function simulateCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      contact: { type: 'string' },
      events: { type: 'string' },
      cohort: { type: 'string' },
      spec: { type: 'string' },
      seed: { type: 'string' },
      start: { type: 'string' },
      json: { type: 'boolean' },
    },
    allowPositionals: true,
  });
  const file = positionals[0];
  if (file && values.cohort !== undefined) return cohortCommand(file, values);
  if (!file || !values.contact) {
    console.error('sopflow simulate: name a flow file and --contact CONTACT.json (or --cohort N)');
    return 2;
  }
  const flow = readJsonFile(file, 'flow');
  const contact = flow.ok ? readJsonFile(values.contact, 'contact') : flow;
  const events =
    values.events && contact.ok ? readJsonFile(values.events, 'events') : { ok: true as const, value: [] };
  if (!flow.ok || !contact.ok || !events.ok) return 2;
  const startAt = values.start ? Date.parse(values.start) : Date.now();
  if (Number.isNaN(startAt)) {
    console.error(
      `sopflow simulate: --start ${values.start} is not a time; write it like 2026-03-02T10:00:00+08:00`,
    );
    return 2;
  }
  const compiled = compile(flow.value, { reach: defaultRegistry().reach() });
  if (!compiled.ok) {
    for (const error of compiled.errors) console.log(formatCompileError(error));
    return 1;
  }
  const contactDoc = contact.value as { contact?: unknown };
  // A contact written with flat addresses ({ "wecomUserId": "wx" }) reads as the API reads it.
  const addressRules = new ContactAddressRules(defaultRegistry());
  try {
    const result = simulate(compiled.plan, {
      contact: addressRules.fold(contactDoc.contact ?? contactDoc) as never,
      event: (contactDoc as { event?: Record<string, unknown> }).event,
      // Scripted contact changes may use the shorthand too ({ "contact": { "email": "..." } }).
      events: (events.value as { contact?: unknown }[]).map((e) =>
        e.contact === undefined ? e : { ...e, contact: addressRules.fold(e.contact) },
      ) as never,
      startAt,
    });
    if (values.json) {
      console.log(JSON.stringify(result, null, 2));
    } else {
      for (const line of formatTimeline(result, compiled.plan)) console.log(line);
      console.log(`\n${describeOutcome(result.outcome)}`);
    }
    return 0;
  } catch (error) {
    console.error(`sopflow simulate: ${(error as Error).message}`);
    return 2;
  }
}

async function validate(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { json: { type: 'boolean' } },
    allowPositionals: true,
  });
  const file = positionals[0];
  if (!file) {
    console.error('sopflow validate: name a flow file, e.g. sopflow validate flows/welcome.json');
    return 2;
  }
  const read = readJsonFile(file, 'flow');
  if (!read.ok) return 2;
  const document = read.value;
  const result = compile(document, {
    limits: declaredLimits(),
    freeFormWindows: defaultRegistry().freeFormWindows(),
    reach: defaultRegistry().reach(),
  });
  if (values.json) {
    console.log(
      JSON.stringify(
        result.ok ? { ok: true, plan: result.plan, warnings: result.warnings } : result,
        null,
        2,
      ),
    );
    return result.ok ? 0 : 1;
  }
  if (!result.ok) {
    for (const error of result.errors) console.log(formatCompileError(error));
    console.log(`${result.errors.length} error${result.errors.length === 1 ? '' : 's'} in ${file}`);
    return 1;
  }
  const nodes = Object.values(result.plan.nodes);
  const sends = nodes.filter((n) => n.type === 'send').length;
  console.log(`ok: "${result.plan.flowName}" (${result.plan.flowId}): ${nodes.length} steps, ${sends} sends`);
  for (const warning of result.warnings)
    console.log(`warning: ${warning.nodeId ? `node ${warning.nodeId}: ` : ''}${warning.message}`);
  return 0;
}

/** Resolves when the process is asked to stop (Ctrl-C or a service manager's SIGTERM). */
function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve(signal));
  });
}

/** A secret key for local use, made once and kept in the data dir, so secrets survive restarts. */
function localSecretKey(): string {
  const file = path.join(dataDir(), 'secret.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir(), { recursive: true });
  const key = randomBytes(32).toString('base64url');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

/**
 * The payload keys for local use, made once and kept in the data dir beside Temporal's database,
 * whose histories they open.
 */
function localPayloadKeys(): string {
  const file = path.join(dataDir(), 'payload-keys');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir(), { recursive: true });
  const keys = newPayloadKey('local-1');
  writeFileSync(file, `${keys}\n`, { mode: 0o600 });
  return keys;
}

async function dev(): Promise<number> {
  const config = loadConfig({
    SOPFLOW_SECRET_KEY: process.env.SOPFLOW_SECRET_KEY ?? localSecretKey(),
    SOPFLOW_PAYLOAD_KEYS: process.env.SOPFLOW_PAYLOAD_KEYS || localPayloadKeys(),
    ...process.env,
  });
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((e) => console.error('stop:', e));
  };
  const stopping = stopSignal();
  try {
    let temporalAddress = config.TEMPORAL_ADDRESS;
    let temporalUiUrl = config.TEMPORAL_UI_URL ?? `http://localhost:${config.TEMPORAL_UI_PORT}`;
    if (!temporalAddress) {
      console.log('Starting the Temporal dev server...');
      const temporal = await startTemporalDevServer({
        port: config.TEMPORAL_PORT,
        uiPort: config.TEMPORAL_UI_PORT,
        namespace: config.TEMPORAL_NAMESPACE,
        dbFile: path.join(dataDir(), 'temporal.db'),
        uiCodecEndpoint: `${publicApiUrl(config).replace(/\/$/, '')}${CODEC_PATH}`,
        onProgress: (line) => console.log(`  ${line}`),
      });
      stops.push(() => temporal.stop());
      temporalAddress = temporal.address;
      temporalUiUrl = temporal.uiUrl ?? temporalUiUrl;
    }
    console.log(config.DATABASE_URL ? 'Connecting to Postgres...' : 'Starting the embedded Postgres...');
    const postgres = await startPostgres({ databaseUrl: config.DATABASE_URL, port: config.SOPFLOW_PG_PORT });
    stops.push(() => postgres.stop());
    const builderDir = path.join(repoRoot(), 'builder-ui', 'dist');
    const app = await startApp({
      config,
      databaseUrl: postgres.url,
      temporalAddress,
      temporalUiUrl,
      builderDir: existsSync(builderDir) ? builderDir : undefined,
    });
    stops.push(() => app.stop());
    console.log(`
sopflow is running. Ctrl-C stops everything.
  Builder and API  ${app.url}
  Temporal UI      ${temporalUiUrl}
  Temporal server  ${temporalAddress}
  Postgres         ${postgres.external ? 'DATABASE_URL' : postgres.url.replace(/:[^:@/]+@/, ':***@')}
  Data dir         ${dataDir()}
`);
    const signal = await stopping;
    console.log(`\n${signal}: stopping...`);
    await stopAll();
    return 0;
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function serveOne(part: 'api' | 'worker'): Promise<number> {
  const config = loadConfig();
  if (!config.TEMPORAL_ADDRESS || !config.DATABASE_URL) {
    throw new ConfigError(
      `sopflow ${part} needs TEMPORAL_ADDRESS and DATABASE_URL (use "sopflow dev" for a local stack).`,
    );
  }
  const app = await startApp({
    config,
    databaseUrl: config.DATABASE_URL,
    temporalAddress: config.TEMPORAL_ADDRESS,
    temporalUiUrl: config.TEMPORAL_UI_URL ?? `http://localhost:${config.TEMPORAL_UI_PORT}`,
    api: part === 'api',
    worker: part === 'worker',
    builderDir: part === 'api' ? path.join(repoRoot(), 'builder-ui', 'dist') : undefined,
  });
  console.log(
    part === 'api'
      ? `sopflow api listening on ${app.url}`
      : `sopflow worker polling ${config.TEMPORAL_TASK_QUEUE}`,
  );
  await (part === 'worker' ? Promise.race([stopSignal(), app.worker!.done]) : stopSignal());
  await app.stop();
  return 0;
}

/**
 * Runs `work` on sopflow's database: DATABASE_URL, else the embedded Postgres of `sopflow dev`
 * (reached while the stack runs, started for the command when it does not).
 */
async function withDatabase<T>(work: (accounts: Accounts) => Promise<T>): Promise<T> {
  const config = loadConfig();
  let url = config.DATABASE_URL;
  let stopPostgres = async () => {};
  if (!url) {
    if (await isPortFree(config.SOPFLOW_PG_PORT)) {
      const postgres = await startPostgres({ port: config.SOPFLOW_PG_PORT });
      url = postgres.url;
      stopPostgres = () => postgres.stop();
    } else {
      url = `postgres://sopflow:sopflow@127.0.0.1:${config.SOPFLOW_PG_PORT}/sopflow`;
    }
  }
  const sql = connectDatabase(url, { max: 2 });
  try {
    await migrate(sql);
    return await work(new Accounts(sql));
  } finally {
    await sql.end({ timeout: 5 });
    await stopPostgres();
  }
}

async function tokenCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { role: { type: 'string' }, name: { type: 'string' }, 'expires-days': { type: 'string' } },
    allowPositionals: true,
  });
  if (positionals[0] !== 'create') {
    console.error('sopflow token: use "sopflow token create --role operator --name ci"');
    return 2;
  }
  const role = Role.safeParse(values.role);
  if (!role.success || !values.name) {
    console.error('sopflow token create: give --role viewer|operator|admin and --name NAME');
    return 2;
  }
  const days = values['expires-days'] === undefined ? undefined : Number(values['expires-days']);
  if (days !== undefined && !(Number.isInteger(days) && days > 0)) {
    console.error('sopflow token create: --expires-days takes a whole number of days');
    return 2;
  }
  const { token, record } = await withDatabase((accounts) =>
    accounts.createToken({
      name: values.name!,
      role: role.data,
      createdBy: 'sopflow token create',
      ...(days ? { expiresAt: new Date(Date.now() + days * 86_400_000) } : {}),
    }),
  );
  // The token alone on stdout, so scripts can capture it; the rest on stderr.
  console.error(
    `API token "${record.name}" (${record.role}${record.expiresAt ? `, expires ${record.expiresAt.toISOString()}` : ''}), shown once:`,
  );
  console.log(token);
  console.error('Send it as: Authorization: Bearer <token>');
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'validate':
      return validate(rest);
    case 'simulate':
      return simulateCommand(rest);
    case 'dev':
      return dev();
    case 'api':
    case 'worker':
      return serveOne(command);
    case 'token':
      return tokenCommand(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      console.error(`sopflow: unknown command "${command}".\n\n${USAGE}`);
      return 2;
  }
}

// A reader that stops early (`sopflow simulate ... | head`) closes the pipe: that ends the output,
// as it does for any Unix tool, instead of an unhandled EPIPE stack.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exitCode = 1;
}
