import { z } from 'zod';
import { defineAddressKind } from '../address-kind';

const weComId = z.string().trim().min(1).max(200);

/** A WeCom member (staff) user id: where application messages go. */
export const weComUserIdAddress = defineAddressKind({
  name: 'wecomUserId',
  label: { en: 'WeCom member (userid)', zh: '企业微信成员（userid）' },
  schema: weComId,
});

/**
 * A WeCom external contact (customer) id: where mass messages go, and how group members and
 * callbacks name a customer.
 */
export const weComExternalUserIdAddress = defineAddressKind({
  name: 'wecomExternalUserId',
  label: { en: 'WeCom customer (external_userid)', zh: '企业微信客户（external_userid）' },
  schema: weComId,
});

/** A WeCom customer group (chat id), or the key of a configured group robot: a group's, not a contact's. */
export const weComGroupAddress = defineAddressKind({
  name: 'groupId',
  label: { en: 'Group id', zh: '群 ID' },
  of: 'group',
  schema: weComId,
});
