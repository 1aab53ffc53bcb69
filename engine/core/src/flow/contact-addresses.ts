/**
 * A contact's addresses are keyed by address kind, the kinds the server's connectors declare: the
 * core knows no kind by name. Flows read an address as `contact.<kind>` (`{{ contact.email }}`),
 * so the contact a flow sees has its addresses laid flat beside its other fields. Runs started
 * before contacts had `addresses` carry the old flat shape in their history: both shapes read the
 * same. Pure and without zod: the interpreter loads it.
 */

/** A contact's own fields: never address kinds. */
export const CONTACT_BASE_FIELDS: readonly string[] = [
  'id',
  'name',
  'timezone',
  'attributes',
  'tags',
  'points',
  'unsubscribed',
  'addresses',
  'createdAt',
  'updatedAt',
];

/** How an address kind is named: a letter, then letters and digits. */
export const ADDRESS_KIND_NAME = /^[a-zA-Z][a-zA-Z0-9]{0,63}$/;

export const isAddressKindName = (name: string): boolean =>
  ADDRESS_KIND_NAME.test(name) && !CONTACT_BASE_FIELDS.includes(name);

/**
 * A contact's addresses by kind, from either shape: `addresses`, and in a contact of the old flat
 * shape (`{ id, email, phone }`), every other own field holding a string.
 */
export function contactAddresses(contact: object): Record<string, string> {
  const found: Record<string, string> = {};
  for (const [key, value] of Object.entries(contact))
    if (typeof value === 'string' && isAddressKindName(key)) found[key] = value;
  const nested = (contact as { addresses?: unknown }).addresses;
  if (nested && typeof nested === 'object')
    for (const [kind, value] of Object.entries(nested))
      if (typeof value === 'string' && isAddressKindName(kind)) found[kind] = value;
  return found;
}

/** The contact as templates and conditions read it: its fields, and each address as `<kind>`. */
export function flowContactView<C extends object>(contact: C): C & Record<string, unknown> {
  return Object.assign({}, contact, contactAddresses(contact)) as C & Record<string, unknown>;
}
