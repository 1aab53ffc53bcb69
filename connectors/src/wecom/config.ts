import { z } from 'zod';
import { DEFAULT_RATE_LIMITED_RETRY_MS, DEFAULT_TIMEOUT_MS, DEFAULT_WECOM_BASE_URL } from './wecom-client';

/**
 * The WeCom connectors' settings. Credentials carry `.meta({ secret: true })` (also in the JSON
 * schema as `"secret": true`): the app stores them encrypted and shows them masked.
 */

/** A credential: stored encrypted, shown masked. */
const secret = (description: string) => z.string().min(1).meta({ secret: true, description });

const corpId = z
  .string()
  .min(1)
  .meta({ description: 'The corp id (企业ID), from My Company in the admin console.' });
const baseUrl = z
  .url()
  .default(DEFAULT_WECOM_BASE_URL)
  .meta({ description: 'The WeCom API base URL; change it only for a proxy or tests.' });
const timeoutMs = z
  .number()
  .int()
  .min(100)
  .max(120_000)
  .default(DEFAULT_TIMEOUT_MS)
  .meta({ description: 'How long one call to WeCom may take, in milliseconds.' });
/** Settings that may be left out as a whole: each one has its default, so `{}` is a valid input. */
function defaulted<Shape extends z.ZodRawShape>(shape: Shape) {
  const group = z.object(shape).strict();
  return group.prefault({} as z.input<typeof group>);
}

const rateLimitedRetryMs = z
  .number()
  .int()
  .min(1_000)
  .default(DEFAULT_RATE_LIMITED_RETRY_MS)
  .meta({ description: 'How long to wait after WeCom says a call limit is reached (45009).' });

export const AppMessageConfig = z
  .object({
    corpId,
    secret: secret("The app's secret (Secret of the self-built app)."),
    agentId: z.number().int().positive().meta({ description: "The app's AgentId." }),
    baseUrl,
    timeoutMs,
    duplicateCheckIntervalSec: z
      .number()
      .int()
      .min(1)
      .max(4 * 3600)
      .default(1800)
      .meta({ description: 'WeCom drops an identical request sent again within this many seconds.' }),
    limits: defaulted({
      // WeCom silently drops what a member receives from one app above 30/min or 1000/hour.
      perMemberPerMinute: z.number().int().positive().default(30),
      perMemberPerHour: z.number().int().positive().default(1000),
      /** A send waits this long at most for the member's limit to free, else it is retried later. */
      maxPacingDelayMs: z.number().int().min(0).max(60_000).default(5_000),
      rateLimitedRetryMs,
    }),
  })
  .strict();
export type AppMessageConfig = z.infer<typeof AppMessageConfig>;

export const GroupRobotConfig = z
  .object({
    robots: z
      .record(z.string().min(1), secret('The webhook key of the group robot (the key= in its webhook URL).'))
      .meta({ description: 'The robot key of each group, by group id (the recipient’s groupId).' }),
    baseUrl,
    timeoutMs,
    limits: defaulted({
      /** WeCom allows 20 messages a minute for each robot. */
      perRobotPerMinute: z.number().int().positive().default(20),
      rateLimitedRetryMs,
    }),
  })
  .strict();
export type GroupRobotConfig = z.infer<typeof GroupRobotConfig>;

export const MassSendConfig = z
  .object({
    corpId,
    secret: secret(
      'The customer-contact secret, or a self-built app secret allowed to call customer contact.',
    ),
    sender: z
      .string()
      .min(1)
      .meta({ description: 'The staff user id who is asked to confirm and send each task.' }),
    baseUrl,
    timeoutMs,
    rateLimitedRetryMs,
    lookup: defaulted({
      /**
       * After an attempt with no answer, wait this long before searching WeCom's task list for it,
       * in case a just-created task is not listed at once.
       */
      settleMs: z.number().int().min(0).max(600_000).default(10_000),
      /** Clock difference allowed between this server and WeCom when searching by creation time. */
      skewMs: z.number().int().min(0).max(3_600_000).default(300_000),
    }),
    followUp: defaulted({
      /** How often to ask WeCom whether the staff member has sent the task. */
      everyMs: z.number().int().min(1_000).max(86_400_000).default(600_000),
      /**
       * Past this, a task nobody sent counts as failed and the flow takes the send's failure exit
       * (e.g. a fallback channel). WeCom keeps unsent tasks in the staff member's list for days.
       */
      giveUpAfterMs: z
        .number()
        .int()
        .min(1_000)
        .max(30 * 86_400_000)
        .default(3 * 86_400_000),
    }),
    /**
     * How often (minutes) the watched customer groups are compared with WeCom, to post the joins
     * and leaves its callbacks lost; 0 turns it off.
     */
    reconcileMinutes: z
      .number()
      .int()
      .min(0)
      .max(24 * 60)
      .default(30)
      .meta({ description: 'Minutes between comparing watched customer groups with WeCom; 0 turns it off.' }),
    /** Corp customer tags (企业客户标签) both ways: the tag list read into sopflow, contacts' tags marked on WeCom. */
    tags: defaulted({
      /**
       * Minutes between reading WeCom's corp tag list (also read at start, on a route change and when
       * WeCom calls back a tag change) and handing WeCom the tag changes a failed start left; 0 turns
       * these scheduled passes off (a tag change is still marked as it is made).
       */
      syncMinutes: z
        .number()
        .int()
        .min(0)
        .max(24 * 60)
        .default(60)
        .meta({ description: 'Minutes between reading the corp tag list from WeCom; 0 turns it off.' }),
      /**
       * A tag sopflow gives a customer that WeCom's corp tag list does not have: false keeps it in
       * sopflow only (the job reports it); true creates it in WeCom (add_corp_tag) in `groupName`.
       */
      createMissing: z.boolean().default(false).meta({
        description:
          "Create tags WeCom's corp tag list lacks (in the group below) instead of keeping them in sopflow only.",
      }),
      groupName: z.string().min(1).max(30).default('sopflow').meta({
        description: 'The WeCom tag group sopflow creates missing tags in (at most 30 characters).',
      }),
    }),
  })
  .strict();
export type MassSendConfig = z.infer<typeof MassSendConfig>;

/** The settings of the inbound callback (接收事件服务器) of a self-built app or customer contact. */
export const CallbackConfig = z
  .object({
    token: secret('The callback Token set with the callback URL.'),
    encodingAESKey: z
      .string()
      .regex(/^[A-Za-z0-9]{43}$/, { error: 'The EncodingAESKey is 43 letters and digits.' })
      .meta({ secret: true, description: 'The callback EncodingAESKey.' }),
    /** The corp id for a self-built app (a third-party suite would use its SuiteID). */
    receiveId: z.string().min(1),
  })
  .strict();
export type CallbackConfig = z.infer<typeof CallbackConfig>;
