import { type ContactWay, type ContactWaySpec, type ContactWays, SendError } from '../connector';
import type { WeComClient } from './wecom-client';

/**
 * WeCom's "contact me" ways (客户联系「联系我」, developer.work.weixin.qq.com/document/path/92228):
 * `add_contact_way`, `get_contact_way`, `list_contact_way`, `update_contact_way`,
 * `del_contact_way`, called with the customer-contact secret (or a self-built app listed under
 * 客户联系 → 可调用接口的应用). Ways made through the API do not show in the admin console, so the
 * config_id WeCom answers is the only handle on them.
 */

/** WeCom keeps a way's remark and state to 30 characters each. */
export const WECOM_CONTACT_WAY_TEXT_MAX = 30;
/** At most this many staff on one way. */
export const WECOM_CONTACT_WAY_STAFF_MAX = 100;
/** The contact event an add through a way becomes (the WeCom callback's add_external_contact). */
export const WECOM_CUSTOMER_ADDED_EVENT = 'wecom.customer_added';

/** Errcodes with which WeCom refuses a user id: invalid, or no such member. */
const STAFF_REFUSED = new Set([40003, 60111]);

/** The fields of WeCom's way object that sopflow reads. */
interface WeComContactWay {
  config_id: string;
  remark?: string;
  state?: string;
  user?: string[];
  skip_verify?: boolean;
  qr_code?: string;
}

/**
 * A way as WeCom takes it: always "many staff" (type 2) with a QR code (scene 2), since WeCom does
 * not let an edit change the type and a single-staff way (type 1) cannot take a second member.
 */
function wayBody(spec: ContactWaySpec) {
  return {
    remark: [...spec.name].slice(0, WECOM_CONTACT_WAY_TEXT_MAX).join(''),
    state: spec.state,
    user: spec.staff,
    skip_verify: spec.skipVerify,
  };
}

/** A refusal of the staff named as one naming the `staff` field, so the API can say which field. */
async function namingStaff<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof SendError && STAFF_REFUSED.has(Number(error.details.providerCode)))
      throw new SendError(error.kind, error.message, { ...error.details, field: 'staff' });
    throw error;
  }
}

/** The contact ways of the account `client` calls as. */
export function weComContactWays(client: WeComClient, now: () => number = Date.now): ContactWays {
  return {
    addEvent: WECOM_CUSTOMER_ADDED_EVENT,

    async create(spec) {
      const answer = await namingStaff(
        client.post<{ config_id?: string; qr_code?: string }>('/cgi-bin/externalcontact/add_contact_way', {
          type: 2,
          scene: 2,
          ...wayBody(spec),
        }),
      );
      if (!answer.config_id || !answer.qr_code)
        throw new SendError('retryable', 'WeCom add_contact_way answered without a config_id or qr_code.');
      return { id: answer.config_id, qrCode: answer.qr_code };
    },

    async get(id) {
      try {
        const answer = await client.post<{ contact_way?: WeComContactWay }>(
          '/cgi-bin/externalcontact/get_contact_way',
          { config_id: id },
        );
        const way = answer.contact_way;
        if (!way) return undefined;
        const found: ContactWay = {
          id: way.config_id,
          name: way.remark ?? '',
          state: way.state ?? '',
          staff: way.user ?? [],
          skipVerify: way.skip_verify ?? true,
          qrCode: way.qr_code ?? '',
        };
        return found;
      } catch (error) {
        // WeCom answers "invalid parameter" for a config_id it does not have (deleted elsewhere).
        if (error instanceof SendError && Number(error.details.providerCode) === 40058) return undefined;
        throw error;
      }
    },

    async list(since) {
      const ids: string[] = [];
      let cursor = '';
      do {
        const page = await client.post<{ contact_way?: { config_id: string }[]; next_cursor?: string }>(
          '/cgi-bin/externalcontact/list_contact_way',
          {
            start_time: Math.floor(since.getTime() / 1000),
            end_time: Math.ceil(now() / 1000),
            limit: 1000,
            ...(cursor ? { cursor } : {}),
          },
        );
        ids.push(...(page.contact_way ?? []).map((way) => way.config_id));
        cursor = page.next_cursor ?? '';
      } while (cursor);
      return ids;
    },

    async update(id, spec) {
      await namingStaff(
        client.post('/cgi-bin/externalcontact/update_contact_way', { config_id: id, ...wayBody(spec) }),
      );
    },

    async remove(id) {
      await client.post('/cgi-bin/externalcontact/del_contact_way', { config_id: id });
    },
  };
}
