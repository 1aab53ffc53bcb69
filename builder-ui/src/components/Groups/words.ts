import { useLocale } from '../../hooks/useLocale';
import type { Locale } from '../../locale';

/** The Groups page's words, kept beside it. */

const en = {
  nav: 'Groups',
  title: 'Groups',
  intro:
    'Let customers into WeCom customer groups: join ways give a QR code a send step can carry, and welcome templates greet who joins.',
  joinWays: 'Join ways',
  joinWaysHint:
    'A QR code (or mini-program button) that lets a customer into one of up to 5 groups. A wait for “member.joined” with payload.joinWays containing its id waits for a join through it.',
  newJoinWay: 'New join way',
  editJoinWay: 'Edit join way',
  remark: 'Remark',
  chatIds: 'Group chat ids (one per line, at most 5)',
  scene: 'Kind',
  sceneQr: 'QR code',
  sceneMiniProgram: 'Mini-program button',
  autoCreateRoom: 'Open a new group when these are full',
  roomBaseName: 'Name of a new group',
  state: 'State (left empty: sopflow makes one)',
  groups: (n: number) => (n === 1 ? '1 group' : `${n} groups`),
  noQr: 'No QR code: a mini-program button',
  noJoinWays: 'No join way yet.',
  welcomeTemplates: 'Group welcome templates',
  welcomeHint:
    'What staff can post when customers join their groups (入群欢迎语): a text and one attachment. %NICKNAME% becomes the customer’s nickname. WeCom keeps at most 100.',
  newTemplate: 'New welcome template',
  editTemplate: 'Edit welcome template',
  name: 'Name',
  text: 'Text',
  attachment: 'Attachment',
  attachmentNone: 'None',
  attachmentTypes: {
    image: 'Image',
    link: 'Link',
    miniprogram: 'Mini-program',
    file: 'File',
    video: 'Video',
  },
  attachmentFields: {
    title: 'Title',
    url: 'URL',
    picUrl: 'Picture URL',
    desc: 'Description',
    mediaId: 'Media id',
    picMediaId: 'Cover media id',
    appId: 'Mini-program appid',
    page: 'Page path',
  },
  notify: 'Ask staff to apply it to their groups',
  noTemplates: 'No welcome template yet.',
  save: 'Save',
  saving: 'Saving…',
  cancel: 'Cancel',
  edit: 'Edit',
  delete: 'Delete',
  confirmDelete: 'Delete it at WeCom too? Its QR code stops working.',
  failed: 'WeCom or the server refused:',
  loadFailed: 'Could not load:',
  inviteLabel: 'Invite into a group (join way)',
  inviteNone: 'No invitation',
  inviteHint: 'The message carries the join way’s QR code as a link card.',
};

type GroupWords = typeof en;

const zh: GroupWords = {
  nav: '群',
  title: '群',
  intro: '拉客户进企业微信客户群：加群方式提供二维码，可由发送步骤带上；入群欢迎语欢迎新入群的客户。',
  joinWays: '加群方式',
  joinWaysHint:
    '客户扫码（或点小程序按钮）即可加入最多 5 个群之一。“等待事件” member.joined 且 payload.joinWays 包含其 ID，即等待客户通过它入群。',
  newJoinWay: '新建加群方式',
  editJoinWay: '编辑加群方式',
  remark: '备注',
  chatIds: '群 ID（每行一个，最多 5 个）',
  scene: '类型',
  sceneQr: '二维码',
  sceneMiniProgram: '小程序按钮',
  autoCreateRoom: '群满后自动新建群',
  roomBaseName: '新建群的群名前缀',
  state: 'state（留空由 sopflow 生成）',
  groups: (n: number) => `${n} 个群`,
  noQr: '无二维码：小程序按钮',
  noJoinWays: '还没有加群方式。',
  welcomeTemplates: '入群欢迎语',
  welcomeHint:
    '客户入群时员工可发送的欢迎语素材：一段文本加一个附件。%NICKNAME% 会替换为客户昵称。企业微信最多保存 100 条。',
  newTemplate: '新建入群欢迎语',
  editTemplate: '编辑入群欢迎语',
  name: '名称',
  text: '文本',
  attachment: '附件',
  attachmentNone: '无',
  attachmentTypes: { image: '图片', link: '链接', miniprogram: '小程序', file: '文件', video: '视频' },
  attachmentFields: {
    title: '标题',
    url: '链接',
    picUrl: '图片链接',
    desc: '描述',
    mediaId: 'media_id',
    picMediaId: '封面 media_id',
    appId: '小程序 appid',
    page: '页面路径',
  },
  notify: '通知员工将其应用到群',
  noTemplates: '还没有入群欢迎语。',
  save: '保存',
  saving: '保存中…',
  cancel: '取消',
  edit: '编辑',
  delete: '删除',
  confirmDelete: '同时在企业微信删除？其二维码将失效。',
  failed: '企业微信或服务器拒绝：',
  loadFailed: '加载失败：',
  inviteLabel: '邀请入群（加群方式）',
  inviteNone: '不邀请',
  inviteHint: '消息会以链接卡片带上该加群方式的二维码。',
};

const words: Record<Locale, GroupWords> = { en, zh };

export function useGroupWords(): { w: GroupWords; locale: Locale } {
  const { locale } = useLocale();
  return { w: words[locale], locale };
}
