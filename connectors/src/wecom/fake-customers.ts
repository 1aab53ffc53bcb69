/**
 * The fake WeCom server's customers (外部联系人): what `externalcontact/get` answers, as WeCom
 * documents it (document 92114): the customer, and each following staff member with the tags they
 * marked; `follow_user` paged with `cursor` / `next_cursor` past `pageSize` staff.
 */

export interface FakeCustomerTag {
  group_name?: string;
  tag_name: string;
  tag_id?: string;
  /** 1 corp tag, 2 the staff member's own tag, 3 rule-group tag. */
  type: 1 | 2 | 3;
}

export interface FakeFollowUser {
  userid: string;
  remark?: string;
  createtime: number;
  state?: string;
  tags: FakeCustomerTag[];
}

export interface FakeCustomer {
  external_userid: string;
  name: string;
  /** 1 a WeChat user, 2 a WeCom user. */
  type: 1 | 2;
  follow_user: FakeFollowUser[];
}

const ok = { errcode: 0, errmsg: 'ok' };

export class FakeCustomers {
  private readonly customers = new Map<string, FakeCustomer>();
  /** WeCom pages at 500 staff; tests make it smaller to see the paging. */
  pageSize = 500;

  set(customer: FakeCustomer): void {
    this.customers.set(customer.external_userid, customer);
  }

  get(externalUserId: string): FakeCustomer | undefined {
    return this.customers.get(externalUserId);
  }

  /** `GET externalcontact/get?external_userid=&cursor=` */
  read(query: Record<string, string>): object {
    const customer = query.external_userid ? this.customers.get(query.external_userid) : undefined;
    if (!customer) return { errcode: 84061, errmsg: 'not external contact' };
    const offset = Number(query.cursor || 0);
    const { follow_user, ...contact } = customer;
    const page = follow_user.slice(offset, offset + this.pageSize);
    const next = offset + this.pageSize < follow_user.length ? String(offset + this.pageSize) : '';
    return { ...ok, external_contact: contact, follow_user: page, next_cursor: next };
  }
}
