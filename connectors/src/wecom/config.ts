import { z } from 'zod';
import { configField } from '../connector';
import { DEFAULT_RATE_LIMITED_RETRY_MS, DEFAULT_TIMEOUT_MS, DEFAULT_WECOM_BASE_URL } from './wecom-client';

/**
 * The WeCom connectors' settings. Credentials carry `.meta({ secret: true })` (also in the JSON
 * schema as `"secret": true`): the app stores them encrypted and shows them masked.
 */

type Text = readonly [en: string, zh: string];

/** A credential: stored encrypted, shown masked. */
const secret = (label: Text, help: Text) =>
  z
    .string()
    .min(1)
    .meta(configField(label, help, { secret: true }));

const corpId = z
  .string()
  .min(1)
  .meta(
    configField(
      ['Corp ID (corpid)', '企业ID (corpid)'],
      [
        'From My Company > Company Information in the WeCom admin console.',
        '在企业微信管理后台“我的企业 > 企业信息”中查看。',
      ],
    ),
  );
const baseUrl = z
  .url()
  .default(DEFAULT_WECOM_BASE_URL)
  .meta(
    configField(
      ['API base URL', 'API 地址'],
      [
        'The WeCom API base URL; change it only for a proxy or tests.',
        '企业微信 API 地址；仅在使用代理或测试时修改。',
      ],
    ),
  );
const timeoutMs = z
  .number()
  .int()
  .min(100)
  .max(120_000)
  .default(DEFAULT_TIMEOUT_MS)
  .meta(
    configField(
      ['Timeout (ms)', '超时（毫秒）'],
      ['How long one call to WeCom may take, in milliseconds.', '一次调用企业微信最多等待的毫秒数。'],
    ),
  );
/** Settings that may be left out as a whole: each one has its default, so `{}` is a valid input. */
function defaulted<Shape extends z.ZodRawShape>(shape: Shape, label: Text, help: Text) {
  const group = z.object(shape).strict();
  return group.prefault({} as z.input<typeof group>).meta(configField(label, help));
}

const rateLimitedRetryMs = z
  .number()
  .int()
  .min(1_000)
  .default(DEFAULT_RATE_LIMITED_RETRY_MS)
  .meta(
    configField(
      ['Retry after rate limit (ms)', '频率超限后重试间隔（毫秒）'],
      [
        'How long to wait after WeCom says a call limit is reached (45009).',
        '企业微信提示接口调用超过限制（45009）后，等待多久再重试。',
      ],
    ),
  );

const perMinute = (help: Text) =>
  z
    .number()
    .int()
    .positive()
    .meta(configField(['Per minute', '每分钟上限'], help));

export const AppMessageConfig = z
  .object({
    corpId,
    secret: secret(
      ['Secret', 'Secret'],
      [
        'The self-built app’s Secret (App Management > the app).',
        '自建应用的 Secret（在“应用管理 > 应用”详情中查看）。',
      ],
    ),
    agentId: z
      .number()
      .int()
      .positive()
      .meta(
        configField(
          ['App AgentId', '应用 AgentId'],
          ['The self-built app’s AgentId, on the app’s page.', '自建应用的 AgentId，在应用详情页查看。'],
        ),
      ),
    baseUrl,
    timeoutMs,
    duplicateCheckIntervalSec: z
      .number()
      .int()
      .min(1)
      .max(4 * 3600)
      .default(1800)
      .meta(
        configField(
          ['Duplicate check interval (s)', '重复消息检查间隔（秒）'],
          [
            'WeCom drops an identical message sent again within this many seconds.',
            '在此秒数内再次发送的相同消息会被企业微信丢弃。',
          ],
        ),
      ),
    limits: defaulted(
      {
        // WeCom silently drops what a member receives from one app above 30/min or 1000/hour.
        perMemberPerMinute: perMinute([
          'Messages one member may receive from the app in a minute (WeCom allows 30).',
          '每名成员每分钟最多接收本应用的消息数（企业微信上限 30）。',
        ]).default(30),
        perMemberPerHour: z
          .number()
          .int()
          .positive()
          .default(1000)
          .meta(
            configField(
              ['Per hour', '每小时上限'],
              [
                'Messages one member may receive from the app in an hour (WeCom allows 1000).',
                '每名成员每小时最多接收本应用的消息数（企业微信上限 1000）。',
              ],
            ),
          ),
        maxPacingDelayMs: z
          .number()
          .int()
          .min(0)
          .max(60_000)
          .default(5_000)
          .meta(
            configField(
              ['Longest wait (ms)', '最长等待（毫秒）'],
              [
                'A send waits this long at most for the member’s limit to free, else it is retried later.',
                '发送最多等待这么久让成员的额度空出，否则稍后重试。',
              ],
            ),
          ),
        rateLimitedRetryMs,
      },
      ['Limits', '频率限制'],
      ['WeCom’s limits on what one member receives.', '企业微信对每名成员接收消息的限制。'],
    ),
  })
  .strict();
export type AppMessageConfig = z.infer<typeof AppMessageConfig>;

export const GroupRobotConfig = z
  .object({
    robots: z
      .record(
        z.string().min(1),
        secret(
          ['Webhook key', 'Webhook key'],
          [
            'The webhook key of the group robot (the key= in its webhook URL).',
            '群机器人的 Webhook key（Webhook 地址中 key= 后的部分）。',
          ],
        ),
      )
      .meta(
        configField(
          ['Group robots', '群机器人'],
          [
            'The robot’s webhook key for each group, by group ID (the recipient’s groupId).',
            '每个群的机器人 Webhook key，按群ID（收件人的 groupId）填写。',
          ],
        ),
      ),
    baseUrl,
    timeoutMs,
    limits: defaulted(
      {
        perRobotPerMinute: perMinute([
          'Messages each robot may send in a minute (WeCom allows 20).',
          '每个机器人每分钟最多发送的消息数（企业微信上限 20）。',
        ]).default(20),
        rateLimitedRetryMs,
      },
      ['Limits', '频率限制'],
      ['WeCom’s limits on each robot.', '企业微信对每个机器人的限制。'],
    ),
  })
  .strict();
export type GroupRobotConfig = z.infer<typeof GroupRobotConfig>;

export const MassSendConfig = z
  .object({
    corpId,
    secret: secret(
      ['Secret', 'Secret'],
      [
        'The Customer Contact Secret, or a self-built app’s Secret allowed to call customer contact.',
        '“客户联系”的 Secret，或有客户联系接口权限的自建应用 Secret。',
      ],
    ),
    sender: z
      .string()
      .min(1)
      .meta(
        configField(
          ['Sender (userid)', '发送成员 (userid)'],
          [
            'The staff member’s userid who is asked to confirm and send each task.',
            '收到群发任务并确认发送的成员账号 (userid)。',
          ],
        ),
      ),
    baseUrl,
    timeoutMs,
    rateLimitedRetryMs,
    lookup: defaulted(
      {
        /**
         * After an attempt with no answer, wait this long before searching WeCom's task list for it,
         * in case a just-created task is not listed at once.
         */
        settleMs: z
          .number()
          .int()
          .min(0)
          .max(600_000)
          .default(10_000)
          .meta(
            configField(
              ['Wait before lookup (ms)', '查找前等待（毫秒）'],
              [
                'After a call with no answer, wait this long before looking for the task in WeCom’s task list.',
                '调用无应答后，等待这么久再到企业微信的群发任务列表中查找该任务。',
              ],
            ),
          ),
        skewMs: z
          .number()
          .int()
          .min(0)
          .max(3_600_000)
          .default(300_000)
          .meta(
            configField(
              ['Clock skew (ms)', '时钟偏差（毫秒）'],
              [
                'Clock difference allowed between this server and WeCom when searching by creation time.',
                '按创建时间查找时，允许本服务器与企业微信之间的时钟偏差。',
              ],
            ),
          ),
      },
      ['Task lookup', '任务查找'],
      [
        'Finding a task in WeCom when its creation got no answer.',
        '创建群发任务无应答时，到企业微信中查找该任务。',
      ],
    ),
    followUp: defaulted(
      {
        everyMs: z
          .number()
          .int()
          .min(1_000)
          .max(86_400_000)
          .default(600_000)
          .meta(
            configField(
              ['Check every (ms)', '检查间隔（毫秒）'],
              [
                'How often to ask WeCom whether the staff member has sent the task.',
                '多久向企业微信查询一次成员是否已发送该任务。',
              ],
            ),
          ),
        giveUpAfterMs: z
          .number()
          .int()
          .min(1_000)
          .max(30 * 86_400_000)
          .default(3 * 86_400_000)
          .meta(
            configField(
              ['Give up after (ms)', '放弃等待（毫秒）'],
              [
                'Past this, a task nobody sent counts as failed and the send step takes its failure exit (e.g. a fallback channel). WeCom keeps unsent tasks in the member’s list for days.',
                '超过此时长仍未发送的任务记为失败，发送步骤走失败出口（例如备用渠道）。未发送的任务会在成员的列表中保留数天。',
              ],
            ),
          ),
      },
      ['Follow-up', '发送跟进'],
      ['Checking whether the staff member sent each task.', '跟进成员是否已发送每个群发任务。'],
    ),
    /** The watched groups' joins and leaves that WeCom's callbacks lost are posted by this comparison. */
    reconcileMinutes: z
      .number()
      .int()
      .min(0)
      .max(24 * 60)
      .default(30)
      .meta(
        configField(
          ['Group check (minutes)', '客户群核对间隔（分钟）'],
          [
            'Minutes between comparing the watched customer groups with WeCom, to catch joins and leaves its callbacks lost; 0 turns it off.',
            '每隔多少分钟将关注的客户群与企业微信核对一次，补上回调遗漏的入群和退群；0 表示关闭。',
          ],
        ),
      ),
    tags: defaulted(
      {
        /**
         * The tag list is also read at start, on a route change and when WeCom calls back a tag
         * change; this pass also hands WeCom the tag changes a failed start left, and with 0 a tag
         * change is still marked as it is made.
         */
        syncMinutes: z
          .number()
          .int()
          .min(0)
          .max(24 * 60)
          .default(60)
          .meta(
            configField(
              ['Tag sync (minutes)', '标签同步间隔（分钟）'],
              [
                'Minutes between reading the corp tag list from WeCom; 0 turns it off.',
                '每隔多少分钟从企业微信读取一次企业客户标签；0 表示关闭。',
              ],
            ),
          ),
        /** false keeps such a tag in sopflow only (the job reports it); true calls add_corp_tag. */
        createMissing: z
          .boolean()
          .default(false)
          .meta(
            configField(
              ['Create missing tags', '创建缺少的标签'],
              [
                'Create tags WeCom’s corp tag list lacks (in the tag group below) instead of keeping them in sopflow only.',
                '企业客户标签中没有的标签，在下方标签组中创建，而不是只保留在 sopflow 中。',
              ],
            ),
          ),
        groupName: z
          .string()
          .min(1)
          .max(30)
          .default('sopflow')
          .meta(
            configField(
              ['Tag group', '标签组'],
              [
                'The WeCom tag group sopflow creates missing tags in (at most 30 characters).',
                'sopflow 创建缺少的标签时所用的标签组（最多 30 个字符）。',
              ],
            ),
          ),
      },
      ['Corp customer tags', '企业客户标签'],
      [
        'Corp customer tags both ways: the tag list read into sopflow, contacts’ tags marked on WeCom.',
        '企业客户标签双向同步：标签列表读入 sopflow，联系人的标签同步到企业微信。',
      ],
    ),
  })
  .strict();
export type MassSendConfig = z.infer<typeof MassSendConfig>;

/** The settings of the inbound callback (接收事件服务器) of a self-built app or customer contact. */
export const CallbackConfig = z
  .object({
    token: secret(
      ['Token', 'Token'],
      ['The callback Token set with the callback URL.', '设置回调 URL 时填写的 Token。'],
    ),
    encodingAESKey: z
      .string()
      .regex(/^[A-Za-z0-9]{43}$/, { error: 'The EncodingAESKey is 43 letters and digits.' })
      .meta(
        configField(
          ['EncodingAESKey', 'EncodingAESKey'],
          ['The callback EncodingAESKey.', '设置回调 URL 时填写的 EncodingAESKey。'],
          { secret: true },
        ),
      ),
    /** The corp id for a self-built app (a third-party suite would use its SuiteID). */
    receiveId: z.string().min(1),
  })
  .strict();
export type CallbackConfig = z.infer<typeof CallbackConfig>;
