/**
 * A WeCom customer adding a staff member, as the tests and the benchmark produce it: every add goes
 * through `deliverCustomerAdd`, so switching from the events API to the signed callback (once the
 * callback turns add_external_contact into `wecom.customer_added`) changes this one function.
 */

/** What WeCom's add_external_contact callback says (as the `wecom.customer_added` payload). */
export interface CustomerAdd {
  staffId: string;
  externalUserId: string;
  /** The channel code (`State`) of the contact way the customer came through. */
  state?: string;
  welcomeCode?: string;
  /** When the customer added the staff member (CreateTime, epoch ms). */
  at: number;
}

export interface SopflowApi {
  url: string;
  /** An operator's API token. */
  token: string;
}

/** The contact an add is for: the callback finds or creates it by its WeCom external user id. */
export const contactIdOfAdd = (add: Pick<CustomerAdd, 'externalUserId'>) => `wecom-${add.externalUserId}`;

/**
 * Delivers an add to sopflow: for now the contact (with its `wecomExternalUserId`) and the event
 * through the API (`PUT /api/contacts/:id`, `POST /api/events`), as the WeCom callback will do it.
 */
export async function deliverCustomerAdd(
  api: SopflowApi,
  add: CustomerAdd,
): Promise<{ contactId: string; started: { workflowId: string }[] }> {
  const contactId = contactIdOfAdd(add);
  const call = async (method: string, path: string, body: unknown) => {
    const response = await fetch(`${api.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${api.token}` },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  };
  await call('PUT', `/api/contacts/${contactId}`, {
    addresses: { wecomExternalUserId: add.externalUserId },
  });
  const outcome = (await call('POST', '/api/events', {
    contactId,
    name: 'wecom.customer_added',
    id: `add-${add.staffId}-${add.externalUserId}-${add.at}`,
    payload: {
      staffId: add.staffId,
      externalUserId: add.externalUserId,
      ...(add.state === undefined ? {} : { state: add.state }),
      ...(add.welcomeCode === undefined ? {} : { welcomeCode: add.welcomeCode }),
      at: add.at,
    },
  })) as { started?: { workflowId: string }[] };
  return { contactId, started: outcome.started ?? [] };
}
