import { randomBytes, randomUUID } from 'node:crypto';
import { type ContactWaySpec, type ContactWays, SendError } from '@sopflow/connectors';
import type { ChannelCode, ChannelCodeBody } from '@sopflow/core/api';
import type { z } from 'zod';
import type { ChannelCodeCounts, ChannelCodeRecord, Database } from '../persistence';
import type { ChannelRoutes } from './channel-routes';
import { fetchProviderImage } from './provider-image';

/** A code's fields as the contract parsed them (defaults applied). */
type CodeInput = z.output<typeof ChannelCodeBody>;

export class ChannelCodeError extends Error {
  override readonly name = 'ChannelCodeError';
  constructor(
    readonly code:
      | 'channel_code_not_found'
      | 'no_channel_code_connector'
      | 'invalid_body'
      | 'provider_refused'
      | 'provider_unavailable',
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** Letters and digits a state is drawn from: lower case, no look-alikes (0/o, 1/l). */
const STATE_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
/** `sf` and 10 characters: 50 random bits, far under WeCom's 30 characters. */
const STATE_LENGTH = 10;

/** A new state: short, unique in practice, and told from states other tools set by its `sf` start. */
export function newChannelState(): string {
  const bytes = randomBytes(STATE_LENGTH);
  let state = 'sf';
  for (const byte of bytes) state += STATE_ALPHABET[byte % STATE_ALPHABET.length];
  return state;
}

/** How long a QR image fetched from the provider may take. */

/**
 * Channel codes (渠道活码): made, changed and deleted on the provider through a connector whose
 * instance has `contactWays` (WeCom customer contact: a channel routed to `wecom-mass`), kept in
 * Postgres with the provider's id, and counted: adds (the code's add events), the runs those
 * started, and the runs that converted.
 */
export class ChannelCodes {
  constructor(
    private readonly store: Database,
    private readonly routes: ChannelRoutes,
  ) {}

  /** The routed connector that makes channel codes: `only` when named (the one that made a code). */
  private async provider(only?: string): Promise<{ connector: string; ways: ContactWays }> {
    for (const route of await this.routes.list()) {
      if (only !== undefined && route.connector !== only) continue;
      const configured = await this.routes.route(route.channel);
      const ways = configured?.instance.contactWays;
      if (configured && ways) return { connector: configured.connector, ways };
    }
    throw new ChannelCodeError(
      'no_channel_code_connector',
      only === undefined
        ? 'No channel is routed to a connector that makes channel codes: route wechat to wecom-mass (WeCom customer contact) first. / ' +
            '没有渠道路由到能生成渠道活码的连接器：请先把 wechat 渠道路由到 wecom-mass（企业微信客户联系）。'
        : `The connector that made this code (${only}) is no longer routed to any channel. / ` +
            `生成此活码的连接器（${only}）已不再路由到任何渠道。`,
    );
  }

  async list(): Promise<ChannelCode[]> {
    const records = await this.store.channelCodes.list();
    const counts = await this.store.channelCodes.counts(records.map((r) => r.state));
    return records.map((r) => viewOf(r, counts.get(r.state)!));
  }

  async get(id: string): Promise<ChannelCode> {
    const record = await this.record(id);
    const counts = await this.store.channelCodes.counts([record.state]);
    return viewOf(record, counts.get(record.state)!);
  }

  async create(body: CodeInput): Promise<ChannelCode> {
    const { connector, ways } = await this.provider();
    let state = newChannelState();
    while (await this.store.channelCodes.stateTaken(state)) state = newChannelState();
    const spec: ContactWaySpec = { name: body.name, state, staff: body.staff, skipVerify: body.skipVerify };
    const since = new Date(Date.now() - 60_000);
    const made = await this.makeOnce(ways, spec, since);
    // A crash between the provider's answer and this insert leaves a code on the provider that
    // sopflow does not list; the state names it (`sf…`), and WeCom's list_contact_way finds it.
    const stored = await this.store.channelCodes
      .insert({
        id: randomUUID(),
        name: body.name,
        channel: body.channel,
        state,
        staff: body.staff,
        skipVerify: body.skipVerify,
        connector,
        addEvent: ways.addEvent,
        providerId: made.id,
        qrCode: made.qrCode,
      })
      .catch(async (error: unknown) => {
        await ways.remove(made.id).catch(() => {});
        throw error;
      });
    if (!stored) {
      await ways.remove(made.id).catch(() => {});
      throw new ChannelCodeError('provider_unavailable', 'Two codes drew the same state at once; retry.');
    }
    return viewOf(stored, { adds: 0, enrollments: 0, conversions: 0 });
  }

  /**
   * Makes the code on the provider. When the call got no answer (it may or may not have made it),
   * the provider's codes made since the attempt are searched for the state before answering, so a
   * retry never leaves a second code with no record.
   */
  private async makeOnce(ways: ContactWays, spec: ContactWaySpec, since: Date) {
    try {
      return await ways.create(spec);
    } catch (error) {
      if (!(error instanceof SendError) || error.kind === 'permanent') throw providerError(error);
      const found = await this.findByState(ways, spec.state, since).catch(() => undefined);
      if (found) return found;
      throw providerError(error);
    }
  }

  private async findByState(ways: ContactWays, state: string, since: Date) {
    for (const id of await ways.list(since)) {
      const way = await ways.get(id);
      if (way?.state === state) return { id: way.id, qrCode: way.qrCode };
    }
    return undefined;
  }

  async update(id: string, body: CodeInput): Promise<ChannelCode> {
    const record = await this.record(id);
    const { ways } = await this.provider(record.connector);
    const spec = { name: body.name, state: record.state, staff: body.staff, skipVerify: body.skipVerify };
    await ways.update(record.providerId, spec).catch((error: unknown) => {
      throw providerError(error);
    });
    const updated = await this.store.channelCodes.update(id, {
      name: body.name,
      channel: body.channel,
      staff: body.staff,
      skipVerify: body.skipVerify,
      qrCode: record.qrCode,
    });
    if (!updated) throw notFound(id);
    const counts = await this.store.channelCodes.counts([updated.state]);
    return viewOf(updated, counts.get(updated.state)!);
  }

  /** Deletes the code on the provider, then here; one the provider no longer has is only forgotten. */
  async remove(id: string): Promise<void> {
    const record = await this.record(id);
    const { ways } = await this.provider(record.connector);
    try {
      await ways.remove(record.providerId);
    } catch (error) {
      const gone =
        error instanceof SendError &&
        error.kind === 'permanent' &&
        (await ways.get(record.providerId).catch(() => true)) === undefined;
      if (!gone) throw providerError(error);
    }
    await this.store.channelCodes.remove(id);
  }

  /** The QR image as the provider serves it, for the builder and downloads (same origin). */
  async qrImage(id: string): Promise<{ type: string; bytes: ArrayBuffer }> {
    const record = await this.record(id);
    const image = await fetchProviderImage(record.qrCode);
    if (!image.ok)
      throw new ChannelCodeError(
        'provider_unavailable',
        `The QR code image could not be had: ${image.reason}.`,
      );
    return { type: image.type, bytes: image.bytes };
  }

  private async record(id: string): Promise<ChannelCodeRecord> {
    const record = await this.store.channelCodes.get(id);
    if (!record) throw notFound(id);
    return record;
  }
}

const notFound = (id: string) =>
  new ChannelCodeError(
    'channel_code_not_found',
    `There is no channel code "${id}". / 没有渠道活码 "${id}"。`,
  );

/** A provider's refusal as the API says it: a field it names is a 422 on that field. */
function providerError(error: unknown): unknown {
  if (!(error instanceof SendError)) return error;
  if (error.kind === 'permanent' && error.details.field)
    return new ChannelCodeError('invalid_body', 'The provider refused a field. / 服务商拒绝了一个字段。', [
      {
        path: error.details.field,
        message: `${error.message} / 服务商不接受此值${error.details.field === 'staff' ? '（员工账号不存在或未开通客户联系）' : ''}。`,
      },
    ]);
  return error.kind === 'permanent'
    ? new ChannelCodeError('provider_refused', error.message, { providerCode: error.details.providerCode })
    : new ChannelCodeError('provider_unavailable', `${error.message}; nothing was changed, retry.`);
}

function viewOf(r: ChannelCodeRecord, counts: ChannelCodeCounts): ChannelCode {
  return {
    id: r.id,
    name: r.name,
    channel: r.channel as ChannelCode['channel'],
    state: r.state,
    staff: r.staff,
    skipVerify: r.skipVerify,
    connector: r.connector,
    qrCode: r.qrCode,
    qrImageUrl: `/api/channel-codes/${encodeURIComponent(r.id)}/qr`,
    counts,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}
