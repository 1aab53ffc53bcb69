import type { ConnectorInstance, ConnectorJob } from '../connector';
import { weComExternalUserIdAddress } from './addresses';
import { CUSTOMER_ATTRIBUTES, READ_CUSTOMER_JOB } from './customer-events';
import type { WeComClient } from './wecom-client';

/** A customer as `externalcontact/get` gives them, reduced to what sopflow keeps. */
export interface WeComCustomer {
  externalUserId: string;
  /** Their WeChat name (or the WeCom user's name, for a customer from another corp). */
  name?: string;
  /** The staff members (user ids) who have them as a contact. */
  staffIds: string[];
  /** The names of the corp tags (type 1) any of those staff members marked them with, once each. */
  corpTags: string[];
}

interface FollowUser {
  userid?: string;
  tags?: { tag_name?: string; type?: number }[];
}

/** WeCom's tag types on a follow user: 1 corp tag (企业标签), 2 a staff member's own, 3 rule-group tag. */
const CORP_TAG = 1;

/**
 * Reads a customer (`GET /cgi-bin/externalcontact/get`, document 92114): their name and each
 * following staff member with the tags they marked. WeCom pages `follow_user` past 500 staff with
 * `cursor` / `next_cursor`.
 */
export async function readCustomer(client: WeComClient, externalUserId: string): Promise<WeComCustomer> {
  let name: string | undefined;
  const staffIds = new Set<string>();
  const corpTags = new Set<string>();
  let cursor = '';
  do {
    const page = await client.get<{
      external_contact?: { name?: string };
      follow_user?: FollowUser[];
      next_cursor?: string;
    }>('/cgi-bin/externalcontact/get', {
      external_userid: externalUserId,
      ...(cursor ? { cursor } : {}),
    });
    name ??= page.external_contact?.name || undefined;
    for (const follow of page.follow_user ?? []) {
      if (follow.userid) staffIds.add(follow.userid);
      for (const tag of follow.tags ?? [])
        if (tag.type === CORP_TAG && tag.tag_name) corpTags.add(tag.tag_name);
    }
    cursor = page.next_cursor ?? '';
  } while (cursor);
  return { externalUserId, ...(name ? { name } : {}), staffIds: [...staffIds], corpTags: [...corpTags] };
}

/** A connector instance that can read customers (the customer-contact secret's). */
export interface CustomerReader {
  readCustomer(externalUserId: string): Promise<WeComCustomer>;
}

function readsCustomers(instance: ConnectorInstance): instance is ConnectorInstance & CustomerReader {
  return typeof (instance as Partial<CustomerReader>).readCustomer === 'function';
}

/**
 * After a customer adds a staff member, or a staff member edits them, reads the customer from WeCom
 * and keeps on their contact: the name (when the contact has none; always as `wecomName`), the staff
 * they follow (`wecomStaffIds`, as WeCom has it now) and their corp tags (a tag named as WeCom names
 * it; tags WeCom dropped since the last read are dropped, sopflow's own stay). Run in the background
 * for one customer (`only`), since WeCom wants the callback answered within 5 s; never on a timer.
 */
export const readCustomerJob: ConnectorJob<unknown> = {
  name: READ_CUSTOMER_JOB,
  label: { en: 'Read a WeCom customer after an add or an edit', zh: '客户添加或编辑后读取客户详情' },
  schedule: () => undefined,
  async run({ instance, contacts, only }) {
    if (only === undefined) return { skipped: 'Run for one customer at a time (an add or an edit).' };
    if (!readsCustomers(instance)) return { skipped: 'This connector cannot read WeCom customers.' };
    const customer = await instance.readCustomer(only);
    const found = await contacts.change(
      { kind: weComExternalUserIdAddress.name, value: only },
      {
        ...(customer.name ? { nameIfUnset: customer.name } : {}),
        attributes: {
          [CUSTOMER_ATTRIBUTES.staffIds]: customer.staffIds,
          ...(customer.name ? { [CUSTOMER_ATTRIBUTES.name]: customer.name } : {}),
        },
        providerTags: { attribute: CUSTOMER_ATTRIBUTES.tags, tags: customer.corpTags },
      },
    );
    return { customer: only, found, staffIds: customer.staffIds, tags: customer.corpTags };
  },
};
