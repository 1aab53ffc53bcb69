import type { RecipientLimit } from '../connector';

/**
 * WeCom's mass-send quota: a customer (and, counted apart, a customer group) receives at most as
 * many mass messages in a month as the month has days, counted on Beijing time. Admins may set it
 * to 1 a day or 7 a week instead (a cohort dry-run takes that as `quotas: { 'wecom-mass-send': … }`).
 */
export const WECOM_MASS_SEND_LIMIT: RecipientLimit = {
  id: 'wecom-mass-send',
  channels: ['wechat', 'wechat_group'],
  perRecipient: { max: 'daysInMonth', per: 'month', zone: 'Asia/Shanghai' },
  label: { en: 'WeCom mass messages', zh: '企业微信群发' },
  message: {
    en: 'WeCom lets a customer (or customer group) receive only so many a month (the days in the month, or 1 a day or 7 a week as admins set it) and refuses the rest.',
    zh: '企业微信限制每个客户（或客户群）每月接收的群发条数（默认为当月天数，管理员可设为每天 1 条或每周 7 条），超出的会被拒绝。',
  },
};
