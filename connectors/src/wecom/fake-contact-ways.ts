import { randomBytes } from 'node:crypto';
import QRCode from 'qrcode';

/**
 * The fake WeCom server's "contact me" ways (客户联系「联系我」): add, get, list, update and delete
 * as WeCom documents them (document/path/92228), and a real QR code image at each way's `qr_code`
 * URL, which the fake serves itself (`/qr/<config_id>.png`).
 */

export interface FakeContactWay {
  config_id: string;
  type: 1 | 2;
  scene: 1 | 2;
  remark?: string;
  state?: string;
  user: string[];
  skip_verify: boolean;
  qr_code?: string;
  /** Seconds since the epoch, as `list_contact_way` filters by. */
  create_time: number;
}

const ok = { errcode: 0, errmsg: 'ok' };
const QR_PATH = /^\/qr\/([A-Za-z0-9_-]+)\.png$/;
/** WeCom's limits: remark and state to 30 characters, 100 staff on one way. */
const TEXT_MAX = 30;
const STAFF_MAX = 100;

/** The ways one fake corp has; `members` (when set) are the user ids WeCom knows. */
export class FakeContactWays {
  readonly ways = new Map<string, FakeContactWay>();

  constructor(
    private readonly baseUrl: () => string,
    private readonly members: () => readonly string[] | undefined,
  ) {}

  /** The way whose state is `state`, as a callback's add_external_contact would name it. */
  byState(state: string): FakeContactWay | undefined {
    return [...this.ways.values()].find((way) => way.state === state);
  }

  /** A problem with the fields `add` and `update` share, as WeCom answers it. */
  private problem(input: Record<string, unknown>, type: number): object | undefined {
    if (typeof input.remark === 'string' && [...input.remark].length > TEXT_MAX)
      return { errcode: 40058, errmsg: 'remark exceed 30 characters' };
    if (typeof input.state === 'string' && [...input.state].length > TEXT_MAX)
      return { errcode: 40058, errmsg: 'state exceed 30 characters' };
    const users = Array.isArray(input.user) ? input.user.map(String) : [];
    if (users.length > STAFF_MAX) return { errcode: 40058, errmsg: 'user exceed 100' };
    if (type === 1 && users.length !== 1) return { errcode: 40058, errmsg: 'type 1 takes exactly one user' };
    const members = this.members();
    const unknown = members ? users.find((user) => !members.includes(user)) : undefined;
    if (unknown !== undefined) return { errcode: 40003, errmsg: `invalid userid ${unknown}` };
    return undefined;
  }

  add(input: Record<string, unknown>): object {
    if (input.type !== 1 && input.type !== 2) return { errcode: 41037, errmsg: 'missing contact way type' };
    if (input.scene !== 1 && input.scene !== 2) return { errcode: 40058, errmsg: 'invalid scene' };
    const problem = this.problem(input, input.type);
    if (problem) return problem;
    const users = Array.isArray(input.user) ? input.user.map(String) : [];
    if (users.length === 0) return { errcode: 40058, errmsg: 'user and party are both empty' };
    const configId = randomBytes(16).toString('hex');
    const way: FakeContactWay = {
      config_id: configId,
      type: input.type,
      scene: input.scene,
      ...(typeof input.remark === 'string' ? { remark: input.remark } : {}),
      ...(typeof input.state === 'string' ? { state: input.state } : {}),
      user: users,
      // WeCom's default: customers are added without the staff member confirming.
      skip_verify: input.skip_verify !== false,
      // Only a QR-code way (scene 2) has a QR code.
      ...(input.scene === 2 ? { qr_code: `${this.baseUrl()}/qr/${configId}.png` } : {}),
      create_time: Math.floor(Date.now() / 1000),
    };
    this.ways.set(configId, way);
    return { ...ok, config_id: configId, ...(way.qr_code ? { qr_code: way.qr_code } : {}) };
  }

  get(input: Record<string, unknown>): object {
    const way = this.ways.get(String(input.config_id));
    if (!way) return { errcode: 40058, errmsg: 'invalid config_id' };
    const { create_time: _, ...shown } = way;
    return { ...ok, contact_way: shown };
  }

  list(input: Record<string, unknown>): object {
    const now = Math.floor(Date.now() / 1000);
    // WeCom's defaults: from 90 days ago to now; 100 a page, at most 1000.
    const start = Number(input.start_time ?? now - 90 * 86_400);
    const end = Number(input.end_time ?? now);
    const limit = Math.min(Math.max(Number(input.limit ?? 100), 1), 1000);
    const offset = Number(input.cursor || 0);
    const matching = [...this.ways.values()].filter((w) => w.create_time >= start && w.create_time <= end);
    const next = offset + limit < matching.length ? String(offset + limit) : '';
    return {
      ...ok,
      contact_way: matching.slice(offset, offset + limit).map((w) => ({ config_id: w.config_id })),
      next_cursor: next,
    };
  }

  update(input: Record<string, unknown>): object {
    const way = this.ways.get(String(input.config_id));
    if (!way) return { errcode: 40058, errmsg: 'invalid config_id' };
    const problem = this.problem(input, way.type);
    if (problem) return problem;
    if (typeof input.remark === 'string') way.remark = input.remark;
    if (typeof input.state === 'string') way.state = input.state;
    if (Array.isArray(input.user)) way.user = input.user.map(String);
    if (typeof input.skip_verify === 'boolean') way.skip_verify = input.skip_verify;
    return ok;
  }

  remove(input: Record<string, unknown>): object {
    return this.ways.delete(String(input.config_id)) ? ok : { errcode: 40058, errmsg: 'invalid config_id' };
  }

  /** The PNG of a way's QR code, or undefined when `path` names no way's image. */
  async qrImage(path: string): Promise<Buffer | undefined> {
    const configId = QR_PATH.exec(path)?.[1];
    const way = configId ? this.ways.get(configId) : undefined;
    if (!way?.qr_code) return undefined;
    return QRCode.toBuffer(`https://work.weixin.qq.com/ca/fake-${way.config_id}`, {
      type: 'png',
      width: 240,
    });
  }
}
