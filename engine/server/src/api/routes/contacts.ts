import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import {
  ContactColumns,
  ContactErasure,
  ContactHistory,
  ContactImportQuery,
  ContactListQuery,
  ContactPage,
  ContactPatch,
  ContactPutBody,
  ContactSaved,
  columnTargets,
  ImportReport,
  type ImportRowError,
} from '@sopflow/core/api';
import { CsvError, parse } from 'csv-parse';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { ContactErasedError } from '../../persistence';
import { type ContactAddressRules, parseAddressed } from '../contact-addresses';
import { doc } from '../docs';
import {
  type ApiContext,
  apiError,
  auditBulkRead,
  checkQuery,
  checkValue,
  jsonValueProblem,
  readJson,
} from '../http';

const INVALID_CONTACT = 'The contact is not valid.';

/** Rows are written this many at a time, each batch in one transaction. */
const BATCH = 500;
/** The report names at most this many bad rows. */
const MAX_ERRORS = 1000;

const splitList = (cell: string) =>
  cell
    .split(/[;|]/)
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * A CSV row as a contact patch, each cell read as its column's targets say (`columnTargets`):
 * lists (tags, unsubscribed) are separated by ; or |, `attributes` is a JSON object, an
 * attribute's `:number`, `:boolean` or `:json` converts the value. Empty cells leave the field as
 * it is.
 */
function csvRowToPatch(
  record: Record<string, string>,
  targets: ReadonlyMap<string, readonly string[]>,
  rules: ContactAddressRules,
): unknown {
  const patch: Record<string, unknown> = {};
  const addresses: Record<string, string> = {};
  const attributes: Record<string, unknown> = {};
  for (const [column, raw] of Object.entries(record)) {
    const cell = raw.trim();
    if (cell === '') continue;
    for (const target of targets.get(column) ?? []) {
      if (target === 'id' || target === 'name' || target === 'timezone') patch[target] = cell;
      else if (target === 'tags' || target === 'unsubscribed') patch[target] = splitList(cell);
      else if (target === 'points') patch.points = /^-?\d+$/.test(cell) ? Number(cell) : cell;
      else if (target.startsWith('addresses.')) {
        const kind = target.slice('addresses.'.length);
        addresses[rules.kindNamed(kind) ?? kind] = cell; // an unknown kind: refused by the check
      } else if (target === 'attributes') {
        try {
          Object.assign(attributes, JSON.parse(cell));
        } catch {
          patch.attributes = cell; // refused by the schema, with the row named
        }
      } else {
        const [name, type] = target.slice('attributes.'.length).split(':') as [string, string | undefined];
        try {
          attributes[name] = convert(cell, type);
        } catch (error) {
          throw new CellError(`attributes.${name}`, (error as Error).message);
        }
      }
    }
  }
  if (Object.keys(attributes).length > 0 && patch.attributes === undefined) patch.attributes = attributes;
  if (Object.keys(addresses).length > 0) patch.addresses = addresses;
  return patch;
}

/** A CSV none of whose columns gives the contact's id. */
class NoIdColumn extends Error {
  constructor(headers: readonly string[]) {
    super(
      `No column gives the contact's id (its external id) among ${headers.map((h) => `"${h}"`).join(', ')}: ` +
        'name one "id", or map one to id with the columns parameter (e.g. {"手机号": ["id", "addresses.phone"]}). / ' +
        `${headers.map((h) => `“${h}”`).join('、')} 中没有联系人编号列：请将一列命名为 id，或用 columns 参数把某一列对应到 id（例如 {"手机号": ["id", "addresses.phone"]}）。`,
    );
  }
}

/** A CSV cell that cannot be read as its column's type: the field it fills, and why. */
class CellError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

function convert(cell: string, type: string | undefined): unknown {
  switch (type) {
    case 'number': {
      const n = Number(cell);
      if (Number.isNaN(n)) throw new Error(`"${cell}" is not a number.`);
      return n;
    }
    case 'boolean':
      if (/^(true|yes|1|是)$/i.test(cell)) return true;
      if (/^(false|no|0|否)$/i.test(cell)) return false;
      throw new Error(`"${cell}" is not true or false.`);
    case 'json':
      return JSON.parse(cell);
    default:
      return cell;
  }
}

/** Contacts: upsert by external id, list and search, the journey history, bulk import. */
export function registerContactRoutes(app: Hono, ctx: ApiContext): void {
  const { contacts } = ctx.options;

  app.get(
    '/api/contacts',
    doc({
      summary: 'List and search contacts',
      tags: ['contacts'],
      access: 'viewer',
      // Who read how many contacts is audited (counts only; not the search, which may be a phone number).
      audit: true,
      query: ContactListQuery,
      responses: {
        200: {
          description: 'A page of contacts in id order, and the `after` of the next page (null at the end).',
          schema: ContactPage,
        },
        422: 'Bad query.',
      },
    }),
    async (c) => {
      const parsed = checkQuery(c, ContactListQuery);
      if (!parsed.ok) return parsed.response;
      const page = await contacts.list(parsed.data);
      auditBulkRead(c, { contacts: page.contacts.length });
      return c.json(page);
    },
  );

  app.put(
    '/api/contacts/:id',
    doc({
      summary: 'Create or update a contact by its external id',
      description:
        'Fields left out stay; addresses are keyed by the address kinds of GET /api/connectors (a top-level ' +
        'field named after a kind is shorthand for that address), null removes one; attributes merge (null removes a key); tags and an ' +
        'unsubscribed list replace; unsubscribed as { channel: true|false } opts in or out per channel; ' +
        'points sets the balance (the difference goes to the ledger).',
      tags: ['contacts'],
      access: 'operator',
      body: ContactPutBody,
      responses: {
        200: { description: 'Updated.', schema: ContactSaved },
        201: { description: 'Created.', schema: ContactSaved },
        422: 'Invalid fields, an address kind no connector declares, or an id in the body that is not the one in the path.',
      },
    }),
    async (c) => {
      const body = await readJson(c);
      if (!body.ok) return body.response;
      const id = c.req.param('id');
      const parsed = parseAddressed(ctx.addressRules, ContactPutBody, body.value ?? {});
      if (!parsed.ok) return apiError(c, 422, 'invalid_contact', INVALID_CONTACT, parsed.issues);
      if (parsed.data.id !== undefined && parsed.data.id !== id)
        return apiError(c, 422, 'id_mismatch', `The body's id "${parsed.data.id}" is not the id in the URL.`);
      const checked = checkValue(c, ContactPatch, { ...parsed.data, id }, 'invalid_contact', INVALID_CONTACT);
      if (!checked.ok) return checked.response;
      const saved = await contacts.save([checked.data]);
      const created = saved.created.length > 0;
      return c.json({ contact: saved.contacts[0], created }, created ? 201 : 200);
    },
  );

  app.get(
    '/api/contacts/:id',
    doc({
      summary: 'A contact with its journey history',
      description:
        'Enrollments (running ones with the step they wait at, each with its Temporal UI link), the steps ' +
        'of finished journeys, deliveries, events and the points ledger; newest first.',
      tags: ['contacts'],
      access: 'viewer',
      responses: {
        200: { description: 'The contact and its history.', schema: ContactHistory },
        404: 'No such contact.',
      },
    }),
    async (c) => {
      const history = await contacts.history(c.req.param('id'));
      if (!history)
        return apiError(c, 404, 'contact_not_found', `There is no contact "${c.req.param('id')}".`);
      return c.json(history);
    },
  );

  app.delete(
    '/api/contacts/:id',
    doc({
      summary: 'Erase a contact (PIPL / GDPR): not reversible',
      description:
        "Ends the contact's running runs and deletes their Temporal histories; removes the contact, its " +
        'addresses, events, outbox messages, points and the records naming it; keeps journeys, enrollments ' +
        'and deliveries for statistics with the contact and run ids replaced by random ones. From then on the ' +
        'id (and a provider creating a contact from one of its addresses) is refused with 410 `contact_erased`, ' +
        'until an admin lifts the erasure (DELETE /api/contacts/{id}/erasure). The audit log records who erased ' +
        "and when, under the answer's `reference`, never the id.",
      tags: ['contacts'],
      access: 'admin',
      audit: false,
      responses: {
        200: { description: 'Erased: what was removed, as counts.', schema: ContactErasure },
        404: 'No such contact, nor an erasure of the id (an erased id may be erased again: it sweeps every table again).',
        503: 'Temporal or the database is unreachable: nothing was erased but the tombstone; retry.',
      },
    }),
    async (c) => {
      const id = c.req.param('id');
      const erased = await ctx.options.erasure.erase(id, c.get('principal'));
      if (!erased) return apiError(c, 404, 'contact_not_found', `There is no contact "${id}".`);
      return c.json(erased);
    },
  );

  app.delete(
    '/api/contacts/:id/erasure',
    doc({
      summary: "Lift a contact's erasure, so the id may be created again",
      description:
        'A deliberate re-creation: the erased data does not come back; writes for the id are taken again from now on.',
      tags: ['contacts'],
      access: 'admin',
      audit: false,
      responses: { 204: 'Lifted.', 404: 'The id was not erased.' },
    }),
    async (c) => {
      const id = c.req.param('id');
      if (!(await ctx.options.erasure.lift(id, c.get('principal'))))
        return apiError(c, 404, 'not_erased', 'This id was not erased. / 该联系人没有删除记录。');
      return c.body(null, 204);
    },
  );

  app.post(
    '/api/contacts/import',
    doc({
      summary: 'Import contacts in bulk: CSV, a JSON array, or NDJSON',
      description:
        `Streamed and written ${BATCH} rows per transaction. CSV columns, by header in English or Chinese: ` +
        'id (required; 编号), name (姓名), timezone (时区), one per address kind of GET /api/connectors by its ' +
        'name or label (email / 邮箱, phone / 手机号, wecomUserId, ...), tags (标签) and unsubscribed (退订), ' +
        'separated by ; or |, points (积分), attributes (JSON), and any other column as an attribute (`city`, ' +
        '`attributes.city`, `age:number`, `vip:boolean`, `prefs:json`); `columns` maps headers otherwise ' +
        '(a phone column can be the id too). Each JSON item is a contact as in PUT /api/contacts/{id}. ' +
        'Bad rows are reported by row and skipped; the others are saved.',
      tags: ['contacts'],
      access: 'operator',
      query: ContactImportQuery,
      bodyMedia: {
        'text/csv': { type: 'string' },
        'application/json': { type: 'array', items: { type: 'object' } },
        'application/x-ndjson': { type: 'string' },
      },
      responses: {
        200: {
          description: 'How many rows were saved (created or updated) and which failed, with why.',
          schema: ImportReport,
        },
        400: 'No body, or a file that cannot be read at all.',
        413: 'Too large.',
        415: 'Not CSV, JSON or NDJSON.',
      },
    }),
    async (c) => {
      const query = checkQuery(c, ContactImportQuery);
      if (!query.ok) return query.response;
      const type = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase() ?? '';
      const format =
        query.data.format ??
        (type === 'text/csv'
          ? 'csv'
          : type === 'application/json'
            ? 'json'
            : type === 'application/x-ndjson' || type === 'application/jsonl'
              ? 'ndjson'
              : undefined);
      if (!format)
        return apiError(
          c,
          415,
          'unsupported_media_type',
          'Send text/csv, application/json or application/x-ndjson.',
        );
      let columns: unknown;
      try {
        columns = query.data.columns === undefined ? {} : JSON.parse(query.data.columns);
      } catch {
        return apiError(c, 422, 'invalid_query', 'The query is not valid.', [
          { path: 'columns', message: 'Not JSON: send {"header": "target"}.' },
        ]);
      }
      // Checked as the query's `columns`, so each issue names it (`columns.手机号`).
      const mapping = checkValue(
        c,
        z.object({ columns: ContactColumns }),
        { columns },
        'invalid_query',
        'The query is not valid.',
      );
      if (!mapping.ok) return mapping.response;
      const body = c.req.raw.body;
      if (!body) return apiError(c, 400, 'empty_body', 'Send the contacts in the body.');
      return importContacts(
        c,
        ctx,
        format,
        Readable.fromWeb(body as unknown as NodeReadableStream),
        mapping.data.columns,
      );
    },
  );
}

async function importContacts(
  c: Context,
  ctx: ApiContext,
  format: 'csv' | 'json' | 'ndjson',
  input: Readable,
  columns: ContactColumns,
): Promise<Response> {
  const report = { received: 0, imported: 0, created: 0, updated: 0, failed: 0 };
  const errors: ImportRowError[] = [];
  const fail = (error: ImportRowError) => {
    report.failed++;
    if (errors.length < MAX_ERRORS) errors.push(error);
  };
  let batch: ContactPatch[] = [];
  /** The row each patch of the batch came from. */
  let batchRows: number[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    // Erased contacts are refused row by row (the save would refuse the whole batch).
    const erased = new Set(await ctx.options.store.erasures.erasedOf(batch.map((p) => p.id)));
    batchRows.forEach((row, i) => {
      if (erased.has(batch[i]!.id))
        fail({ row, id: batch[i]!.id, message: new ContactErasedError([batch[i]!.id]).message });
    });
    const kept = batch.filter((p) => !erased.has(p.id));
    batch = [];
    batchRows = [];
    if (kept.length === 0) return;
    const saved = await ctx.options.contacts.save(kept, 'import');
    report.imported += kept.length;
    report.created += saved.created.length;
    report.updated += kept.length - saved.created.length;
  };
  const take = async (row: number, value: unknown) => {
    report.received++;
    const id = (value as { id?: unknown } | null)?.id;
    const unfit = jsonValueProblem(value);
    if (unfit) {
      fail({
        row,
        ...(typeof id === 'string' ? { id } : {}),
        message: unfit.message,
        ...(unfit.path === undefined ? {} : { issues: [{ path: unfit.path, message: unfit.message }] }),
      });
      return;
    }
    const parsed = parseAddressed(ctx.addressRules, ContactPatch, value);
    if (!parsed.ok) {
      fail({
        row,
        ...(typeof id === 'string' ? { id } : {}),
        message: 'The row is not a valid contact.',
        issues: parsed.issues,
      });
      return;
    }
    const patch = parsed.data;
    // The same contact twice in one batch: the first is written before the second applies.
    if (batch.some((p) => p.id === patch.id)) await flush();
    batch.push(patch);
    batchRows.push(row);
    if (batch.length >= BATCH) await flush();
  };

  try {
    if (format === 'csv') {
      const targets = new Map<string, readonly string[]>();
      const parser = input.pipe(
        parse({
          columns: (header: string[]) => {
            const names = header.map((h) => h.trim());
            const kinds = ctx.addressRules.contactKinds();
            for (const [i, targetsOfColumn] of columnTargets(names, kinds, columns).entries())
              targets.set(names[i]!, targetsOfColumn);
            if (![...targets.values()].some((t) => t.includes('id'))) throw new NoIdColumn(names);
            return names;
          },
          bom: true,
          skip_empty_lines: true,
          skip_records_with_error: true,
          info: true,
        }),
      );
      const idOf = (record: Record<string, string>) =>
        Object.entries(record)
          .find(([column]) => targets.get(column)?.includes('id'))?.[1]
          ?.trim();
      parser.on('skip', (error: CsvError & { lines?: number }) => {
        report.received++;
        fail({ row: error.lines ?? 0, message: error.message });
      });
      for await (const { record, info } of parser as AsyncIterable<{
        record: Record<string, string>;
        info: { lines: number };
      }>) {
        let patch: unknown;
        try {
          patch = csvRowToPatch(record, targets, ctx.addressRules);
        } catch (error) {
          report.received++;
          const { message } = error as Error;
          fail({
            row: info.lines,
            ...(idOf(record) ? { id: idOf(record) } : {}),
            message,
            ...(error instanceof CellError ? { issues: [{ path: error.field, message }] } : {}),
          });
          continue;
        }
        await take(info.lines, patch);
      }
    } else if (format === 'ndjson') {
      let line = 0;
      for await (const text of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
        line++;
        if (text.trim() === '') continue;
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          report.received++;
          fail({ row: line, message: 'The line is not valid JSON.' });
          continue;
        }
        await take(line, value);
      }
    } else {
      const chunks: Buffer[] = [];
      for await (const chunk of input) chunks.push(chunk as Buffer);
      let value: unknown;
      try {
        value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return apiError(c, 400, 'invalid_json', 'The request body is not valid JSON.');
      }
      const list = Array.isArray(value) ? value : (value as { contacts?: unknown } | null)?.contacts;
      if (!Array.isArray(list))
        return apiError(c, 400, 'invalid_import', 'Send an array of contacts, or { "contacts": [...] }.');
      for (const [i, item] of list.entries()) await take(i + 1, item);
    }
    await flush();
  } catch (error) {
    if (error instanceof CsvError || error instanceof NoIdColumn) {
      return apiError(c, 400, 'invalid_csv', (error as Error).message, { ...report, errors });
    }
    throw error;
  }
  // The import's report, as counts: who wrote how many contacts.
  auditBulkRead(c, report);
  return c.json({ ...report, errors, errorsTruncated: report.failed > errors.length });
}
