import type { DeliverInput } from '@sopflow/workflows';
import type { GroupEntryRepository } from '../persistence';
import { permanentFailure } from './failures';

/** The card's title when the join way has no remark (the customer reads it). */
const INVITE_TITLE = '加入群聊 / Join the group';

/**
 * A message that invites through a join way carries its QR code as a link card: WeCom's customer
 * mass messages take links with any URL and picture, while an image attachment must be one uploaded
 * to WeCom. A join way that is gone, or a mini-program button (it has no QR code), fails the send
 * for good: a retry would find the same.
 */
export async function withJoinWayInvite(
  joinWays: Pick<GroupEntryRepository, 'joinWay'>,
  input: DeliverInput,
): Promise<DeliverInput> {
  const id = input.message.joinWay;
  if (id === undefined) return input;
  const way = await joinWays.joinWay(id);
  if (!way) throw permanentFailure(`The group join way "${id}" no longer exists.`);
  if (!way.qrCode)
    throw permanentFailure(`The group join way "${id}" is a mini-program button: it has no QR code to send.`);
  const card = { title: way.remark || INVITE_TITLE, url: way.qrCode, picUrl: way.qrCode };
  return { ...input, message: { ...input.message, articles: [...(input.message.articles ?? []), card] } };
}
