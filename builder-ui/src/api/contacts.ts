import type { Contact } from '@sopflow/core';
import { call } from './flows';

/** Contacts: search, a contact's journey history, bulk import (engine/server/src/api/routes/contacts.ts). */

export interface ContactQuery {
  /** The start of the id, email or phone, or part of the name. */
  q?: string;
  tag?: string;
  /** The `next` of the previous page. */
  after?: string;
  limit?: number;
}

export interface ContactPage {
  contacts: Contact[];
  /** The `after` of the next page; null on the last one. */
  next: string | null;
}

export interface Enrollment {
  workflowId: string;
  runId: string;
  flowId: string;
  version: number;
  startedAt: string;
  status: 'running' | 'finished';
  /** The step a running journey waits at (null when Temporal did not say). */
  waitingAt?: string | null;
  finishedAt: string | null;
  outcome: ({ kind: string; nodeId: string | null } & Record<string, unknown>) | null;
  finalVersion: number | null;
  temporalUrl: string;
}

export interface JourneyStep {
  workflowId: string;
  flowId: string;
  version: number;
  nodeId: string;
  kind: string;
  exit?: string;
  at: string;
}

export interface Delivery {
  idempotencyKey: string;
  flowId: string;
  version: number;
  nodeId: string;
  channel: string;
  connector: string;
  status: string;
  error: string | null;
  createdAt: string;
  sentAt: string | null;
}

export interface ContactEvent {
  id: string | null;
  name: string;
  payload: unknown;
  receivedAt: string;
}

export interface PointsEntry {
  points: number;
  reason: string;
  flowId: string | null;
  nodeId: string | null;
  at: string;
}

/** A contact and its history, newest first. */
export interface ContactHistory {
  contact: Contact & { createdAt: string; updatedAt: string };
  enrollments: Enrollment[];
  journey: JourneyStep[];
  deliveries: Delivery[];
  events: ContactEvent[];
  points: PointsEntry[];
}

export interface ImportRowError {
  /** The CSV or NDJSON line, or the position in a JSON array (1-based). */
  row: number;
  id?: string;
  message: string;
  issues?: { path: string; message: string }[];
}

export interface ImportReport {
  received: number;
  imported: number;
  created: number;
  updated: number;
  failed: number;
  errors: ImportRowError[];
  errorsTruncated: boolean;
}

export type ImportFormat = 'csv' | 'json' | 'ndjson';

const CONTENT_TYPES: Record<ImportFormat, string> = {
  csv: 'text/csv',
  json: 'application/json',
  ndjson: 'application/x-ndjson',
};

export async function listContacts(query: ContactQuery, signal?: AbortSignal): Promise<ContactPage> {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== '') params.set(key, String(value));
  const search = params.toString();
  return (await call('GET', `/api/contacts${search ? `?${search}` : ''}`, undefined, signal)) as ContactPage;
}

export async function getContact(id: string, signal?: AbortSignal): Promise<ContactHistory> {
  return (await call('GET', `/api/contacts/${encodeURIComponent(id)}`, undefined, signal)) as ContactHistory;
}

/** Sends a file's contents as they are; the server parses it and reports each bad row. */
export async function importContacts(file: Blob, format: ImportFormat): Promise<ImportReport> {
  const body = new Blob([file], { type: CONTENT_TYPES[format] });
  return (await call('POST', `/api/contacts/import?format=${format}`, body)) as ImportReport;
}
