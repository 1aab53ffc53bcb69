import type { ContactChangeSet, InboundFact } from '../inbound';
import { weComExternalUserIdAddress } from './addresses';
import { deliveryKeyOf, type EventFields, numberOf, textOf } from './callback';

/**
 * WeCom's customer-contact events (`Event=change_external_contact`, developer.work.weixin.qq.com
 * document 92130 / 96361) read as sopflow contact events about the customer, named by their
 * external user id:
 *
 * | ChangeType | event | payload |
 * |---|---|---|
 * | add_external_contact | `wecom.customer_added` | staffId, externalUserId, state?, welcomeCode?, at |
 * | add_half_external_contact | `wecom.customer_added_half` | the same |
 * | edit_external_contact | `wecom.customer_edited` | staffId, externalUserId, at |
 * | del_external_contact (staff removed the customer) | `wecom.customer_removed` | staffId, externalUserId, source?, at |
 * | del_follow_user (the customer removed the staff member) | `wecom.staff_removed` | staffId, externalUserId, source?, at |
 * | transfer_fail | `wecom.transfer_failed` | staffId, externalUserId, failReason, at |
 *
 * `staffId` is WeCom's `UserID`, `externalUserId` its `ExternalUserID`, `state` its `State` (the
 * channel code of the 「联系我」 way that brought the customer), `source` its `Source`
 * (`DELETE_BY_TRANSFER`: removed by a handover), `failReason` its `FailReason` (`customer_refused`,
 * `customer_limit_exceed`), `at` its `CreateTime` in ms. Other change types (`msg_audit_approved`)
 * give no event.
 */

export const CUSTOMER_EVENTS = {
  add_external_contact: 'wecom.customer_added',
  add_half_external_contact: 'wecom.customer_added_half',
  edit_external_contact: 'wecom.customer_edited',
  del_external_contact: 'wecom.customer_removed',
  del_follow_user: 'wecom.staff_removed',
  transfer_fail: 'wecom.transfer_failed',
} as const;

export type CustomerEventName = (typeof CUSTOMER_EVENTS)[keyof typeof CUSTOMER_EVENTS];

/** The contact attributes WeCom's customer events keep up to date. */
export const CUSTOMER_ATTRIBUTES = {
  /** The `State` of the last add that had one: the channel code that brought the customer. */
  channelCode: 'channelCode',
  /** The staff members (user ids) the customer has as contacts now. */
  staffIds: 'wecomStaffIds',
  /**
   * The last change between the customer and a staff member, as the event's name without
   * `wecom.`: `customer_added`, `customer_added_half`, `customer_removed` (staff removed them) or
   * `staff_removed` (they removed a staff member: churn, when `wecomStaffIds` is left empty).
   */
  relation: 'wecomRelation',
  /** The customer's WeChat name, as WeCom gives it (`externalcontact/get`). */
  name: 'wecomName',
  /** The WeCom corp tags (names) last read for the customer, so a tag WeCom drops is dropped here. */
  tags: 'wecomTags',
} as const;

/** The connector job that reads a customer from WeCom (`externalcontact/get`) after an add or an edit. */
export const READ_CUSTOMER_JOB = 'read-customer';

/** The id a customer gets as a new contact: the same whether a group join or an add came first. */
export const customerContactId = (externalUserId: string) => `wecom:${externalUserId}`;

type ContactEventFact = Extract<InboundFact, { kind: 'contact-event' }>;

const isChangeType = (value: string | undefined): value is keyof typeof CUSTOMER_EVENTS =>
  value !== undefined && Object.hasOwn(CUSTOMER_EVENTS, value);

const relationOf = (name: CustomerEventName) => name.replace(/^wecom\./, '');

/**
 * Reads a `change_external_contact` event as a contact event, or undefined for any other event
 * (or one that names no staff member or customer).
 */
export function readCustomerEvent(fields: EventFields): ContactEventFact | undefined {
  if (textOf(fields, 'Event') !== 'change_external_contact') return undefined;
  const changeType = textOf(fields, 'ChangeType');
  const staffId = textOf(fields, 'UserID');
  const externalUserId = textOf(fields, 'ExternalUserID');
  if (!isChangeType(changeType) || !staffId || !externalUserId) return undefined;
  const name = CUSTOMER_EVENTS[changeType];
  const createTime = numberOf(textOf(fields, 'CreateTime'));
  const optional = (key: string, field: string) => {
    const value = textOf(fields, field);
    return value ? { [key]: value } : {};
  };
  const at = createTime === undefined ? {} : { at: createTime * 1000 };
  const base = { staffId, externalUserId };
  const staff = [staffId];
  let payload: Record<string, unknown>;
  let changes: ContactChangeSet | undefined;
  let runJob: string | undefined;
  switch (changeType) {
    case 'add_external_contact':
    case 'add_half_external_contact': {
      const state = textOf(fields, 'State');
      payload = { ...base, ...optional('state', 'State'), ...optional('welcomeCode', 'WelcomeCode'), ...at };
      changes = {
        attributes: {
          // An add without a channel code (a search, a shared card) leaves the last code as it was.
          ...(state ? { [CUSTOMER_ATTRIBUTES.channelCode]: state } : {}),
          [CUSTOMER_ATTRIBUTES.relation]: relationOf(name),
        },
        addToLists: { [CUSTOMER_ATTRIBUTES.staffIds]: staff },
      };
      runJob = READ_CUSTOMER_JOB;
      break;
    }
    case 'edit_external_contact':
      payload = { ...base, ...at };
      // The remark or the corp tags changed: the event does not say how, the read does.
      runJob = READ_CUSTOMER_JOB;
      break;
    case 'del_external_contact':
    case 'del_follow_user':
      payload = { ...base, ...optional('source', 'Source'), ...at };
      changes = {
        attributes: { [CUSTOMER_ATTRIBUTES.relation]: relationOf(name) },
        removeFromLists: { [CUSTOMER_ATTRIBUTES.staffIds]: staff },
      };
      break;
    case 'transfer_fail':
      payload = { ...base, failReason: textOf(fields, 'FailReason') ?? '', ...at };
      break;
  }
  return {
    kind: 'contact-event',
    id: deliveryKeyOf(fields),
    address: { kind: weComExternalUserIdAddress.name, value: externalUserId },
    newContactId: customerContactId(externalUserId),
    name,
    payload,
    ...(changes ? { changes } : {}),
    ...(runJob ? { runJob } : {}),
  };
}
