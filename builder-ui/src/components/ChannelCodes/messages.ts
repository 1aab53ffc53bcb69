import type { Locale } from '../../locale';

/** The Channel codes page's words; i18n.ts serves them as `t.channelCodes`. */

const en = {
  title: 'Channel codes',
  intro:
    'A "contact me" QR code per acquisition channel: a customer who scans it adds one of its staff in WeCom, and the add carries the code’s state, so flows can branch on it (event.state, contact.attributes.channelCode) and each code counts its adds, enrollments and conversions.',
  newCode: 'New channel code',
  editCode: (name: string) => `Change “${name}”`,
  create: 'Create code',
  creating: 'Creating…',
  save: 'Save',
  saving: 'Saving…',
  cancel: 'Cancel',
  failed: 'Not saved:',
  listTitle: 'Codes',
  none: 'No channel codes yet.',
  loadFailed: 'Could not load the codes:',
  refreshes: 'Counts refresh by themselves.',
  qr: 'QR code',
  name: 'Name',
  channel: 'Channel',
  staff: 'Staff',
  state: 'State',
  adds: 'Adds',
  enrollments: 'Enrolled',
  conversions: 'Converted',
  rate: 'Conversion',
  verify: 'Staff confirm adds',
  download: 'Download',
  edit: 'Change',
  delete: 'Delete',
  deleteConfirm: (name: string) =>
    `Delete “${name}”? Its QR code stops working in WeCom; the contacts it brought stay.`,
  deleteFailed: 'Could not delete:',
  qrAlt: (name: string) => `QR code of ${name}`,
};

export type ChannelCodesMessages = typeof en;

const zh: ChannelCodesMessages = {
  title: '渠道活码',
  intro:
    '每个获客渠道一个“联系我”二维码：客户扫码后在企业微信添加其中一名员工，添加事件带上活码的 state，流程可据此分支（event.state、contact.attributes.channelCode），并按活码统计添加、进入流程和转化。',
  newCode: '新建渠道活码',
  editCode: (name) => `修改“${name}”`,
  create: '创建活码',
  creating: '正在创建…',
  save: '保存',
  saving: '正在保存…',
  cancel: '取消',
  failed: '未保存：',
  listTitle: '活码',
  none: '还没有渠道活码。',
  loadFailed: '无法加载活码：',
  refreshes: '数据会自动刷新。',
  qr: '二维码',
  name: '名称',
  channel: '渠道',
  staff: '员工',
  state: '渠道标识（state）',
  adds: '添加',
  enrollments: '进入流程',
  conversions: '转化',
  rate: '转化率',
  verify: '需员工确认',
  download: '下载',
  edit: '修改',
  delete: '删除',
  deleteConfirm: (name) => `删除“${name}”？它的二维码将在企业微信中失效；已添加的联系人保留。`,
  deleteFailed: '无法删除：',
  qrAlt: (name) => `${name}的二维码`,
};

export const channelCodesMessages: Record<Locale, ChannelCodesMessages> = { en, zh };

/** The page's place in the URL hash. */
export const CHANNEL_CODES_HASH = '#/channel-codes';
export const isChannelCodesHash = (hash: string) =>
  hash === CHANNEL_CODES_HASH || hash.startsWith(`${CHANNEL_CODES_HASH}/`);
