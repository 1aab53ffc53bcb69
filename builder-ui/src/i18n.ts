import type { CompileError, NodeType } from '@sopflow/engine';

/**
 * The shell's own words in both languages operators use. Compile errors are not here: the
 * engine already writes each one in both (`message`, `messageZh`).
 */

export type Locale = 'en' | 'zh';

export const LOCALES: readonly Locale[] = ['en', 'zh'];

const en = {
  appTitle: 'sopflow builder',
  language: 'Language',
  flows: 'Flows',
  loading: 'Loading…',
  loadFailed: 'Could not load from the API:',
  apiHint: 'Is the API running? Start everything with `npm start` or `sopflow dev`.',
  retry: 'Retry',
  noFlows: 'No flows yet.',
  noFlowsHow:
    'Flows are created by saving a flow document to the API. To start from the bundled example, run this from the sopflow folder while `sopflow dev` is running:',
  noFlowsCheck: 'To check a flow file for errors before saving it:',
  pickFlow: 'Pick a flow on the left to see its draft.',
  statuses: { draft: 'draft', live: 'live', paused: 'paused', archived: 'archived' },
  problems: 'Problems',
  noProblems: 'The draft compiles: it can be published.',
  whereNode: 'step',
  whereEdge: 'connection',
  whereFlow: 'flow',
  nodeTypes: {
    trigger: 'Trigger',
    send: 'Send',
    wait: 'Wait',
    wait_until: 'Wait until',
    wait_for_event: 'Wait for event',
    branch: 'Branch',
    split: 'Split',
    update_contact: 'Update contact',
    http_request: 'HTTP request',
    staff_task: 'Staff task',
    exit: 'Exit',
  } satisfies Record<NodeType, string>,
  /** Captions of the exits node types name themselves; branch and split exits carry their own. */
  exits: {
    next: 'next',
    else: 'else',
    failed: 'failed',
    event: 'event',
    timeout: 'timeout',
    done: 'done',
    expired: 'expired',
  } as Record<string, string | undefined>,
};

export type Messages = typeof en;

const zh: Messages = {
  appTitle: 'sopflow 流程编辑器',
  language: '语言',
  flows: '流程',
  loading: '加载中…',
  loadFailed: '无法从 API 读取：',
  apiHint: 'API 是否在运行？可用 `npm start` 或 `sopflow dev` 启动全部服务。',
  retry: '重试',
  noFlows: '还没有流程。',
  noFlowsHow:
    '把流程文档保存到 API 即可创建流程。要从自带的示例开始，请在 `sopflow dev` 运行时，于 sopflow 目录下执行：',
  noFlowsCheck: '保存前检查流程文件是否有错误：',
  pickFlow: '在左侧选择一个流程，查看它的草稿。',
  statuses: { draft: '草稿', live: '已上线', paused: '已暂停', archived: '已归档' },
  problems: '问题',
  noProblems: '草稿编译通过，可以发布。',
  whereNode: '步骤',
  whereEdge: '连线',
  whereFlow: '流程',
  nodeTypes: {
    trigger: '触发器',
    send: '发送',
    wait: '等待',
    wait_until: '等到时间',
    wait_for_event: '等待事件',
    branch: '条件分支',
    split: '随机分流',
    update_contact: '更新联系人',
    http_request: 'HTTP 请求',
    staff_task: '员工任务',
    exit: '结束',
  },
  exits: {
    next: '下一步',
    else: '否则',
    failed: '失败',
    event: '事件到达',
    timeout: '超时',
    done: '完成',
    expired: '已过期',
  },
};

export const messages: Record<Locale, Messages> = { en, zh };

export function errorMessage(error: CompileError, locale: Locale): string {
  return locale === 'zh' ? error.messageZh : error.message;
}

/** The browser's language picks the first locale; the operator's choice wins after that. */
export function preferredLocale(saved: string | null, languages: readonly string[]): Locale {
  if (saved === 'en' || saved === 'zh') return saved;
  return languages.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh' : 'en';
}
