import { readFileSync } from 'node:fs';
import { parseDuration } from '@sopflow/core';
import { z } from 'zod';
import { type PayloadKey, PayloadKeyError, parsePayloadKeys } from './temporal/payload-encryption';

/**
 * Every setting, read from the environment and checked at start: a missing or malformed one
 * stops start-up with a message naming the variable.
 */

const port = z.coerce.number().int().min(1).max(65535);
const optionalUrl = z.url().optional();

export const ConfigSchema = z.object({
  /** Where the API (and the builder it serves) listens. @default 3000 */
  SOPFLOW_PORT: port.default(3000),
  /** @default 127.0.0.1 */
  SOPFLOW_HOST: z.string().default('127.0.0.1'),
  /** The address people and providers reach the API at; webhook and unsubscribe URLs start with it. */
  SOPFLOW_PUBLIC_URL: optionalUrl,
  /** Postgres; when unset, `npm start` runs an embedded Postgres under the data dir. */
  DATABASE_URL: optionalUrl,
  /** The embedded Postgres's port. @default 5433 */
  SOPFLOW_PG_PORT: port.default(5433),
  /** host:port of a Temporal server; when unset, `npm start` runs the Temporal CLI dev server. */
  TEMPORAL_ADDRESS: z.string().optional(),
  /** @default default */
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  /** The dev server's gRPC port. @default 7233 */
  TEMPORAL_PORT: port.default(7233),
  /** The dev server's web UI port. @default 8233 */
  TEMPORAL_UI_PORT: port.default(8233),
  /** Where the Temporal UI is, for links from the API. @default http://localhost:<TEMPORAL_UI_PORT> */
  TEMPORAL_UI_URL: optionalUrl,
  /** @default sopflow */
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('sopflow'),
  /** Connect to Temporal over TLS (on by itself with a client certificate or an API key). @default false */
  TEMPORAL_TLS: z.stringbool().optional(),
  /** PEM file of the client certificate for mTLS (Temporal Cloud, or a self-hosted server requiring it). */
  TEMPORAL_TLS_CERT: z.string().optional(),
  /** PEM file of the client certificate's private key. */
  TEMPORAL_TLS_KEY: z.string().optional(),
  /** A Temporal Cloud API key, sent instead of a client certificate. */
  TEMPORAL_API_KEY: z.string().optional(),
  /** Hosts http_request steps may call even though they resolve to internal addresses (comma-separated). */
  SOPFLOW_HTTP_ALLOWED_HOSTS: z
    .string()
    .default('')
    .transform((list) =>
      list
        .split(',')
        .map((h) => h.trim())
        .filter(Boolean),
    ),
  /**
   * Encrypts connector secrets at rest and signs unsubscribe links (at least 16 characters; keep
   * it stable). `sopflow dev` makes one under the data dir when unset.
   */
  SOPFLOW_SECRET_KEY: z.string().min(16).optional(),
  /**
   * Keys that encrypt Temporal payloads (docs/privacy-encryption.md): `id:base64key` entries,
   * comma-separated, each key 32 random bytes (`openssl rand -base64 32`). The first encrypts new
   * payloads; all of them open old ones, so a rotation puts a new key first and keeps the old ones
   * until no history needs them. Required by `sopflow api` and `sopflow worker`; `sopflow dev`
   * makes one under the data dir when unset.
   */
  SOPFLOW_PAYLOAD_KEYS: z.string().min(1).optional(),
  /** The first admin's login, created at start when there is no user at all. */
  SOPFLOW_ADMIN_EMAIL: z.email().optional(),
  /** Its password (at least 10 characters); when unset, one is generated and printed once. */
  SOPFLOW_ADMIN_PASSWORD: z.string().min(10).optional(),
  /** Requests per API token or user per minute, sustained. @default 1200 */
  SOPFLOW_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(1200),
  /** Requests per API token or user at once (the bucket's size). @default 300 */
  SOPFLOW_RATE_LIMIT_BURST: z.coerce.number().int().min(1).default(300),
  /** WeCom's callback (接收事件服务器) Token, set with the callback URL `/api/inbound/wecom`. */
  SOPFLOW_WECOM_CALLBACK_TOKEN: z.string().min(1).max(32).optional(),
  /** The callback's EncodingAESKey: 43 letters and digits. */
  SOPFLOW_WECOM_CALLBACK_AES_KEY: z
    .string()
    .regex(/^[A-Za-z0-9]{43}$/, { error: 'The EncodingAESKey is 43 letters and digits.' })
    .optional(),
  /** How old (in seconds, either way) a signed WeCom callback may be before it is refused as a replay. */
  SOPFLOW_WECOM_CALLBACK_MAX_AGE_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300),
  /** The corp id (企业ID) the callback's messages are for (their receive id). */
  SOPFLOW_WECOM_CORP_ID: z.string().min(1).optional(),
  /** The Official Account's server-configuration Token, set with the URL `/api/inbound/wechat-oa`. */
  SOPFLOW_OA_CALLBACK_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9]{3,32}$/, { error: 'The Token is 3 to 32 letters and digits.' })
    .optional(),
  /** Its EncodingAESKey (43 letters and digits), for compatible and safe mode. */
  SOPFLOW_OA_CALLBACK_AES_KEY: z
    .string()
    .regex(/^[A-Za-z0-9]{43}$/, { error: 'The EncodingAESKey is 43 letters and digits.' })
    .optional(),
  /** The Official Account's AppID: encrypted messages end with it. */
  SOPFLOW_OA_APP_ID: z.string().min(1).optional(),
  /** How old (in seconds, either way) a signed Official Account callback may be before it is refused. */
  SOPFLOW_OA_CALLBACK_MAX_AGE_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300),
  /** How long a builder login lasts, in hours. @default 12 */
  SOPFLOW_SESSION_HOURS: z.coerce
    .number()
    .min(0.01)
    .max(24 * 30)
    .default(12),
  /** How many activities (sends) one worker runs at once. @default 100 */
  SOPFLOW_WORKER_ACTIVITIES: z.coerce.number().int().min(1).default(100),
  /**
   * Worker slots kept for new-friend welcomes (runs of flows started by a customer adding a staff
   * member poll their own task queue, `<TEMPORAL_TASK_QUEUE>-welcome`), so no campaign or slow
   * provider keeps a welcome past WeCom's 20 s. @default 20
   */
  SOPFLOW_WELCOME_WORKER_ACTIVITIES: z.coerce.number().int().min(1).default(20),
  /**
   * How many runs one worker keeps in memory between their steps (Temporal's sticky cache,
   * `maxCachedWorkflows`); a run not kept is replayed from its history when it next wakes. Each
   * kept run costs the worker a few hundred KiB. 0 keeps none. @default the SDK's: about 600 per
   * GiB of the worker's heap limit
   */
  SOPFLOW_WORKER_CACHED_RUNS: z.coerce
    .number()
    .int()
    .min(0)
    .refine((n) => n !== 1, 'Temporal needs 0 (no cache) or at least 2.')
    .optional(),
  /** How long an integrator's endpoint may take to answer one delivery. @default 10 000 */
  SOPFLOW_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Deliveries in flight at once per subscription (each to a different contact). @default 4 */
  SOPFLOW_WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),
  /** The wait before a failed delivery's first retry; doubled after each attempt, up to an hour. @default 5 000 */
  SOPFLOW_WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(5_000),
  /** Attempts before a delivery is given up on (it stays in the log, replayable). @default 20 */
  SOPFLOW_WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(20),
  /**
   * The frequency cap of messages sent through `POST /api/messages` (not transactional), as
   * `<max>/<ISO duration>`: `3/P1D` is at most three messages a day per contact, counted with flows'
   * sends. @default none
   */
  SOPFLOW_MESSAGE_FREQUENCY_CAP: z
    .string()
    .regex(/^[1-9][0-9]{0,3}\/P[0-9TWDHMS.]+$/, 'Write it as <max>/<ISO duration>, such as 3/P1D.')
    .refine((v) => parseDuration(v.split('/')[1]!).ok, 'The duration is not ISO-8601, such as P1D or PT12H.')
    .optional(),
  /**
   * Quiet hours of messages sent through `POST /api/messages` (not transactional), in the
   * contact's time zone (UTC when it has none), as `HH:MM-HH:MM`: `22:00-08:00`. @default none
   */
  SOPFLOW_MESSAGE_QUIET_HOURS: z
    .string()
    .regex(
      /^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$/,
      'Write it as HH:MM-HH:MM, such as 22:00-08:00.',
    )
    .optional(),
});

export type Config = z.infer<typeof ConfigSchema>;

/** How to reach Temporal: address plus TLS and an API key when configured (Temporal Cloud). */
export interface TemporalConnectionOptions {
  address: string;
  tls?: true | { clientCertPair: { crt: Buffer; key: Buffer } };
  apiKey?: string;
}

export function temporalConnection(config: Config, address: string): TemporalConnectionOptions {
  if ((config.TEMPORAL_TLS_CERT === undefined) !== (config.TEMPORAL_TLS_KEY === undefined)) {
    throw new ConfigError('Set both TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY, or neither.');
  }
  const read = (file: string, name: string) => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new ConfigError(
        `${name}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? error}).`,
      );
    }
  };
  const pair = config.TEMPORAL_TLS_CERT
    ? {
        clientCertPair: {
          crt: read(config.TEMPORAL_TLS_CERT, 'TEMPORAL_TLS_CERT'),
          key: read(config.TEMPORAL_TLS_KEY!, 'TEMPORAL_TLS_KEY'),
        },
      }
    : undefined;
  const tls = pair ?? (config.TEMPORAL_TLS || config.TEMPORAL_API_KEY ? true : undefined);
  return {
    address,
    ...(tls ? { tls } : {}),
    ...(config.TEMPORAL_API_KEY ? { apiKey: config.TEMPORAL_API_KEY } : {}),
  };
}

/** Where the API listens, as a URL a browser on this machine opens. */
export function localApiUrl(config: Config): string {
  return `http://${config.SOPFLOW_HOST === '0.0.0.0' ? 'localhost' : config.SOPFLOW_HOST}:${config.SOPFLOW_PORT}`;
}

/** The address people and providers reach the API at: SOPFLOW_PUBLIC_URL, else where it listens. */
export function publicApiUrl(config: Config): string {
  return config.SOPFLOW_PUBLIC_URL ?? localApiUrl(config);
}

/** The payload keys, checked: a ConfigError names what is wrong or missing. */
export function payloadKeys(config: Config): PayloadKey[] {
  if (config.SOPFLOW_PAYLOAD_KEYS === undefined)
    throw new ConfigError(
      'Set SOPFLOW_PAYLOAD_KEYS (id:base64key, e.g. "k1:$(openssl rand -base64 32)"): Temporal payloads are encrypted with it.',
    );
  try {
    return parsePayloadKeys(config.SOPFLOW_PAYLOAD_KEYS);
  } catch (error) {
    if (error instanceof PayloadKeyError) throw new ConfigError(`SOPFLOW_PAYLOAD_KEYS: ${error.message}`);
    throw error;
  }
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const WECOM_CALLBACK_SETTINGS = [
  'SOPFLOW_WECOM_CALLBACK_TOKEN',
  'SOPFLOW_WECOM_CALLBACK_AES_KEY',
  'SOPFLOW_WECOM_CORP_ID',
] as const;

/** The WeCom callback's settings: all three, or none (the callback route then answers 404). */
/** The rules of messages sent through the API, from the settings. */
export function messageRules(config: Config): {
  cap?: { max: number; perMs: number };
  quietHours?: { start: string; end: string };
} {
  const cap = config.SOPFLOW_MESSAGE_FREQUENCY_CAP?.split('/');
  const duration = cap && parseDuration(cap[1]!);
  const quiet = config.SOPFLOW_MESSAGE_QUIET_HOURS?.split('-');
  return {
    ...(cap && duration?.ok ? { cap: { max: Number(cap[0]), perMs: duration.ms } } : {}),
    ...(quiet ? { quietHours: { start: quiet[0]!, end: quiet[1]! } } : {}),
  };
}

export function weComCallbackSettings(
  config: Config,
): { token: string; encodingAESKey: string; receiveId: string; maxAgeSeconds: string } | undefined {
  const missing = WECOM_CALLBACK_SETTINGS.filter((name) => config[name] === undefined);
  if (missing.length === WECOM_CALLBACK_SETTINGS.length) return undefined;
  if (missing.length > 0)
    throw new ConfigError(
      `The WeCom callback needs ${WECOM_CALLBACK_SETTINGS.join(', ')}; missing: ${missing.join(', ')}.`,
    );
  return {
    token: config.SOPFLOW_WECOM_CALLBACK_TOKEN!,
    encodingAESKey: config.SOPFLOW_WECOM_CALLBACK_AES_KEY!,
    receiveId: config.SOPFLOW_WECOM_CORP_ID!,
    maxAgeSeconds: String(config.SOPFLOW_WECOM_CALLBACK_MAX_AGE_SECONDS),
  };
}

/**
 * The Official Account callback's settings: none without a Token (the callback route then answers
 * 404); the EncodingAESKey and the AppID go together (plain mode needs neither).
 */
export function officialAccountCallbackSettings(config: Config): Record<string, string> | undefined {
  if (config.SOPFLOW_OA_CALLBACK_TOKEN === undefined) return undefined;
  const aes = config.SOPFLOW_OA_CALLBACK_AES_KEY;
  const appId = config.SOPFLOW_OA_APP_ID;
  if ((aes === undefined) !== (appId === undefined))
    throw new ConfigError(
      'The Official Account callback in compatible or safe mode needs both SOPFLOW_OA_CALLBACK_AES_KEY and SOPFLOW_OA_APP_ID.',
    );
  return {
    token: config.SOPFLOW_OA_CALLBACK_TOKEN,
    ...(aes && appId ? { encodingAESKey: aes, appId } : {}),
    maxAgeSeconds: String(config.SOPFLOW_OA_CALLBACK_MAX_AGE_SECONDS),
  };
}

/** Reads the config from an environment; throws a ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = ConfigSchema.safeParse(present);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map(
    (i) => `  ${i.path.join('.')}: ${i.message} (got ${JSON.stringify(present[String(i.path[0])])})`,
  );
  throw new ConfigError(`Invalid settings in the environment:\n${lines.join('\n')}`);
}
