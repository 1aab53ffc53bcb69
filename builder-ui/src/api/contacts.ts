import type {
  ContactColumns,
  ContactErasure,
  ContactHistory,
  ContactListQuery,
  ContactPage,
  ImportFormat,
  ImportReport,
} from '@sopflow/core/api';
import { answer, api } from './client';

/** Contacts: search, a contact's journey history, bulk import (engine/server/src/api/routes/contacts.ts). */

export type {
  ContactColumns,
  ContactErasure,
  ContactEvent,
  ContactHistory,
  ContactListQuery as ContactQuery,
  ContactPage,
  Delivery,
  Enrollment,
  ImportFormat,
  ImportReport,
  ImportRowError,
  JourneyStep,
  PointsLedgerEntry,
} from '@sopflow/core/api';

const CONTENT_TYPES: Record<ImportFormat, string> = {
  csv: 'text/csv',
  json: 'application/json',
  ndjson: 'application/x-ndjson',
};

export async function listContacts(query: ContactListQuery, signal?: AbortSignal): Promise<ContactPage> {
  // An empty search box means no filter, not "matches the empty string".
  const given = Object.fromEntries(
    Object.entries(query).filter(([, value]) => value !== undefined && value !== ''),
  );
  return answer(api.GET('/api/contacts', { params: { query: given }, signal }));
}

/** Erases the contact for good (admin only): its runs end, its data is removed everywhere. */
export async function eraseContact(id: string): Promise<ContactErasure> {
  return answer(api.DELETE('/api/contacts/{id}', { params: { path: { id } } }));
}

export async function getContact(id: string, signal?: AbortSignal): Promise<ContactHistory> {
  return answer(api.GET('/api/contacts/{id}', { params: { path: { id } }, signal }));
}

/**
 * Sends a file's contents as they are, with what each CSV column fills; the server parses it and
 * reports each bad row.
 */
export async function importContacts(
  file: Blob,
  format: ImportFormat,
  columns?: ContactColumns,
): Promise<ImportReport> {
  return answer(
    api.POST('/api/contacts/import', {
      params: { query: { format, ...(columns ? { columns: JSON.stringify(columns) } : {}) } },
      body: file,
      headers: { 'content-type': CONTENT_TYPES[format] },
      bodySerializer: (body) => body,
    }),
  );
}
