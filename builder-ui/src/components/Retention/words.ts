import type { Locale } from '../../locale';

/** The data retention page's words; i18n.ts serves them as `t.retention`. */

const en = {
  nav: 'Data retention',
  title: 'Data retention',
  hint: 'How many days sopflow keeps each kind of record. A daily purge (03:17 UTC) deletes older ones; 0 or empty keeps them for ever. Journeys still running keep their enrollment.',
  fields: {
    deliveriesDays: 'Deliveries (sends, with their recipients)',
    outboxDays: 'Outbox messages (as rendered)',
    eventsDays: 'Events (with their payloads)',
    journeysDays: 'Finished journeys (steps and outcomes)',
  },
  days: 'days',
  save: 'Save',
  saving: 'Saving…',
  saved: 'Saved.',
  loadFailed: 'Could not load the retention settings:',
  saveFailed: 'Could not save:',
};

export type RetentionWords = typeof en;

const zh: RetentionWords = {
  nav: '数据保留',
  title: '数据保留期限',
  hint: 'sopflow 对每类记录保留的天数。每天 03:17（UTC）清理更早的记录；0 或留空表示永久保留。仍在进行中的旅程会保留其参与记录。',
  fields: {
    deliveriesDays: '发送记录（含收件人）',
    outboxDays: '发件箱消息（渲染后的内容）',
    eventsDays: '事件（含其数据）',
    journeysDays: '已结束的旅程（步骤和结果）',
  },
  days: '天',
  save: '保存',
  saving: '保存中…',
  saved: '已保存。',
  loadFailed: '无法加载数据保留设置：',
  saveFailed: '无法保存：',
};

export const retentionWords: Record<Locale, RetentionWords> = { en, zh };

/** The page's place in the URL hash. */
export const RETENTION_HASH = '#/settings/retention';
