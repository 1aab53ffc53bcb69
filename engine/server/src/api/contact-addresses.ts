import type { AddressKind, ConnectorRegistry } from '@sopflow/connectors';
import { type Contact, isAddressKindName } from '@sopflow/core';
import { checkIssues, type Issue } from '@sopflow/core/api';
import type { z } from 'zod';

/** What `check` found: the addresses normalised, or what is wrong with them. */
export type AddressCheck<V> = { ok: true; addresses: Record<string, V> } | { ok: false; issues: Issue[] };

/**
 * The contact address kinds the registered connectors declare, applied where requests come in:
 * the core takes any well-formed kind, the server only those a connector declares.
 */
export class ContactAddressRules {
  private readonly kinds: ReadonlyMap<string, AddressKind>;

  constructor(registry: ConnectorRegistry) {
    for (const kind of registry.addressKinds())
      if (!isAddressKindName(kind.name))
        throw new Error(
          `Address kind "${kind.name}" is named like a contact field: the connector must rename it.`,
        );
    this.kinds = new Map(
      registry
        .addressKinds()
        .filter((kind) => (kind.of ?? 'contact') === 'contact')
        .map((kind) => [kind.name, kind]),
    );
  }

  /** The contact address kinds, with the labels operators know them by. */
  contactKinds(): AddressKind[] {
    return [...this.kinds.values()];
  }

  /** The kinds' names, in name order. */
  names(): string[] {
    return [...this.kinds.keys()];
  }

  /** The declared kind of this name, compared without regard to case (CSV headers). */
  kindNamed(name: string): string | undefined {
    const lower = name.toLowerCase();
    return this.names().find((kind) => kind.toLowerCase() === lower);
  }

  /**
   * The shorthand: a top-level field named after a declared kind (`{ id, email }`) moves into
   * `addresses` (`{ id, addresses: { email } }`); one given in `addresses` wins. Anything that is
   * not an object, or whose `addresses` is not one, is left for the schema to refuse.
   */
  fold(value: unknown): unknown {
    if (!isRecord(value)) return value;
    const { addresses, ...rest } = value;
    if (addresses !== undefined && !isRecord(addresses)) return value;
    const folded: Record<string, unknown> = {};
    const shorthand: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(rest)) {
      if (this.kinds.has(key)) shorthand[key] = field;
      else folded[key] = field;
    }
    if (Object.keys(shorthand).length === 0) return value;
    return { ...folded, addresses: { ...shorthand, ...(addresses ?? {}) } };
  }

  /**
   * Checks each address against its kind's declaration and normalises it; `null` (clear the
   * address) passes. An unknown kind or a bad value is an issue at `<path>.<kind>`, in English and
   * Chinese.
   */
  check<V extends string | null>(
    addresses: Record<string, V> | undefined,
    path = 'addresses',
  ): AddressCheck<V> {
    const issues: Issue[] = [];
    const checked: Record<string, V> = {};
    for (const [name, value] of Object.entries(addresses ?? {})) {
      const kind = this.kinds.get(name);
      if (!kind) {
        const known = this.names().join(', ');
        issues.push({
          path: `${path}.${name}`,
          message:
            `Unknown address kind "${name}": no connector declares it (known: ${known}). / ` +
            `未知的地址类型 "${name}"：没有连接器声明它（已有：${known}）。`,
        });
        continue;
      }
      if (value === null) {
        checked[name] = value;
        continue;
      }
      const parsed = kind.schema.safeParse(value);
      if (parsed.success) checked[name] = parsed.data as V;
      else
        issues.push({
          path: `${path}.${name}`,
          message:
            `Not a valid ${kind.label.en}: ${parsed.error.issues[0]?.message ?? 'invalid'} / ` +
            `不是有效的${kind.label.zh}。`,
        });
    }
    return issues.length > 0 ? { ok: false, issues } : { ok: true, addresses: checked };
  }
}

/**
 * Parses a body with the shorthand folded in and its `addresses` checked against the declared
 * kinds: every issue at once, the schema's and the addresses'.
 */
export function parseAddressed<T extends { addresses?: Record<string, string | null> }>(
  rules: ContactAddressRules,
  schema: z.ZodType<T>,
  value: unknown,
  path = 'addresses',
): { ok: true; data: T } | { ok: false; issues: Issue[] } {
  const folded = rules.fold(value);
  const parsed = checkIssues(schema, folded);
  // Addresses of the right type are checked even when another field is wrong, so one answer names all.
  const given = isRecord(folded) && isRecord(folded.addresses) ? folded.addresses : {};
  const checked = rules.check(stringsOrNull(given), path);
  if (!parsed.success || !checked.ok) return { ok: false, issues: allIssues(parsed, checked) };
  const data = parsed.data.addresses ? { ...parsed.data, addresses: checked.addresses } : parsed.data;
  return { ok: true, data };
}

/**
 * Parses a body holding a contact (an enrollment, a webhook delivery, a dry-run): the contact's
 * shorthand addresses folded in first, its addresses checked after.
 */
export function parseWithAddresses<T extends { contact: Contact }>(
  ctx: { addressRules: ContactAddressRules },
  schema: z.ZodType<T>,
  value: unknown,
): { ok: true; data: T } | { ok: false; issues: Issue[] } {
  const body = isRecord(value) ? { ...value, contact: ctx.addressRules.fold(value.contact) } : value;
  const parsed = checkIssues(schema, body);
  const contact = isRecord(body) && isRecord(body.contact) ? body.contact : {};
  const given = isRecord(contact.addresses) ? contact.addresses : {};
  const checked = ctx.addressRules.check(stringsOrNull(given), 'contact.addresses');
  if (!parsed.success || !checked.ok) return { ok: false, issues: allIssues(parsed, checked) };
  const addresses = checked.addresses as Record<string, string>;
  return { ok: true, data: { ...parsed.data, contact: { ...parsed.data.contact, addresses } } };
}

/** What the schema found and what the address check found, in one list. */
const allIssues = (
  parsed: { success: boolean; issues?: Issue[] },
  checked: AddressCheck<unknown>,
): Issue[] => [...(parsed.issues ?? []), ...(checked.ok ? [] : checked.issues)];

/** The entries whose values could be addresses: the schema refuses the others. */
const stringsOrNull = (record: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(record).filter(([, v]) => typeof v === 'string' || v === null)) as Record<
    string,
    string | null
  >;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
