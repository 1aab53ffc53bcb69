import type { z } from 'zod';

/**
 * A kind of address a message can go to, declared by the connectors whose channels use it: a
 * contact keeps its addresses keyed by kind (`{ phone: '+86 138…', email: '…' }`), so a connector
 * with a new kind of address adds no column, route or builder code.
 */
export interface AddressKind {
  /**
   * The key in a contact's `addresses` and a recipient's fields (`phone`, `wecomUserId`). A letter,
   * then letters and digits; it must not be a contact field (`id`, `name`, `timezone`, ...): the
   * server refuses to start with such a kind.
   */
  name: string;
  /** What operators call it, in English and Chinese. */
  label: { en: string; zh: string };
  /**
   * A contact's address (stored on contacts) or a group's (given by the message, e.g. a WeCom
   * chat id): only contact addresses are stored on contacts and decide who a channel reaches.
   * @default 'contact'
   */
  of?: 'contact' | 'group';
  /** Checks a value and normalises it as it is stored; its error messages name what is wrong. */
  schema: z.ZodType<string, string>;
  /**
   * The form inbound lookups compare ("which contact has this number"): a phone's digits, so
   * "+86 138-0000-0000" matches "8613800000000". The value itself when left out.
   */
  matchKey?(value: string): string;
  /** How the builder's input for it behaves. @default 'text' */
  input?: 'text' | 'tel' | 'email';
}

const KIND_NAME = /^[a-zA-Z][a-zA-Z0-9]{0,63}$/;

/** Declares an address kind, refusing a name that could not be a key of `addresses`. */
export function defineAddressKind(kind: AddressKind): AddressKind {
  if (!KIND_NAME.test(kind.name))
    throw new Error(`Address kind "${kind.name}": a letter, then letters and digits (at most 64).`);
  return Object.freeze({ ...kind });
}

/** The key an inbound lookup compares for this kind and value. */
export function matchKeyOf(kind: AddressKind, value: string): string {
  return kind.matchKey ? kind.matchKey(value) : value;
}
