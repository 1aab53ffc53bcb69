import { describe, expect, it } from 'vitest';
import type { Delivery, Enrollment, JourneyStep } from '../api/contacts';
import {
  type CampaignForm,
  campaignRequestOf,
  campaignSettled,
  contactsHash,
  importFormatOf,
  journeysOf,
  parseContactIds,
  peopleRouteOf,
} from './people';

describe('peopleRouteOf', () => {
  it('reads the contacts list, a contact and the campaigns page', () => {
    expect(peopleRouteOf('#/contacts')).toEqual({ kind: 'contacts' });
    expect(peopleRouteOf('#/contacts/')).toEqual({ kind: 'contacts' });
    expect(peopleRouteOf('#/campaigns')).toEqual({ kind: 'campaigns' });
    expect(peopleRouteOf(contactsHash('c 1/é'))).toEqual({ kind: 'contacts', id: 'c 1/é' });
  });

  it('leaves flows, the gallery and broken escapes to the other pages', () => {
    expect(peopleRouteOf('#/flows/welcome')).toBeUndefined();
    expect(peopleRouteOf('#/new')).toBeUndefined();
    expect(peopleRouteOf('')).toBeUndefined();
    expect(peopleRouteOf('#/contactsX')).toBeUndefined();
    expect(peopleRouteOf('#/contacts/%E0%A4%A')).toEqual({ kind: 'contacts' });
  });
});

describe('importFormatOf', () => {
  it('trusts the file name before the type browsers guess', () => {
    expect(importFormatOf('people.CSV', '')).toBe('csv');
    expect(importFormatOf('people.json', 'text/plain')).toBe('json');
    expect(importFormatOf('people.ndjson', 'application/json')).toBe('ndjson');
    expect(importFormatOf('people.jsonl', '')).toBe('ndjson');
    expect(importFormatOf('export', 'text/csv')).toBe('csv');
    expect(importFormatOf('people.xlsx', 'application/vnd.ms-excel')).toBeUndefined();
  });
});

describe('parseContactIds', () => {
  it('splits on lines, commas (also full-width), semicolons and spaces, each id once', () => {
    expect(parseContactIds('c1\nc2, c3;c4  c5\r\nc1，c6；c7\n\n')).toEqual([
      'c1',
      'c2',
      'c3',
      'c4',
      'c5',
      'c6',
      'c7',
    ]);
    expect(parseContactIds('  \n , ')).toEqual([]);
  });
});

describe('campaignRequestOf', () => {
  const now = Date.parse('2026-12-07T04:00:00Z');
  const form: CampaignForm = {
    flowId: 'sale',
    audience: 'ids',
    idsText: 'c1\nc2\nc1',
    where: { field: 'contact.tags', op: 'contains', value: 'vip' },
    when: 'now',
    at: '',
  };

  it('makes the request for pasted ids, a condition, or everyone, always naming the audience', () => {
    expect(campaignRequestOf(form, now)).toEqual({
      ok: true,
      request: { flowId: 'sale', audience: { contactIds: ['c1', 'c2'] } },
    });
    expect(campaignRequestOf({ ...form, audience: 'condition' }, now)).toEqual({
      ok: true,
      request: {
        flowId: 'sale',
        audience: { where: { field: 'contact.tags', op: 'contains', value: 'vip' } },
      },
    });
    expect(campaignRequestOf({ ...form, audience: 'everyone' }, now)).toEqual({
      ok: true,
      request: { flowId: 'sale', audience: { everyone: true } },
    });
  });

  it('starts later at the local time chosen, as an ISO instant', () => {
    const at = '2027-01-02T09:30';
    expect(campaignRequestOf({ ...form, when: 'at', at }, now)).toEqual({
      ok: true,
      request: { flowId: 'sale', audience: { contactIds: ['c1', 'c2'] }, at: new Date(at).toISOString() },
    });
  });

  it('names what is missing', () => {
    expect(campaignRequestOf({ ...form, flowId: '' }, now)).toEqual({ ok: false, problem: 'noFlow' });
    expect(campaignRequestOf({ ...form, idsText: ' ,\n' }, now)).toEqual({ ok: false, problem: 'noIds' });
    expect(campaignRequestOf({ ...form, when: 'at', at: '' }, now)).toEqual({ ok: false, problem: 'noTime' });
    expect(campaignRequestOf({ ...form, when: 'at', at: '2020-01-01T00:00' }, now)).toEqual({
      ok: false,
      problem: 'pastTime',
    });
  });
});

describe('campaignSettled', () => {
  it('holds once a campaign is done, cancelled or failed', () => {
    expect(
      ['scheduled', 'running', 'done', 'cancelled', 'failed'].filter((s) => campaignSettled(s as never)),
    ).toEqual(['done', 'cancelled', 'failed']);
  });
});

describe('journeysOf', () => {
  const enrollment = (runId: string, startedAt: string, flowId = 'welcome'): Enrollment => ({
    workflowId: `sopflow:${flowId}:c1`,
    runId,
    flowId,
    version: 1,
    startedAt,
    status: 'finished',
    finishedAt: null,
    outcome: null,
    finalVersion: null,
    temporalUrl: '',
  });
  const step = (nodeId: string, at: string, flowId = 'welcome'): JourneyStep => ({
    workflowId: `sopflow:${flowId}:c1`,
    flowId,
    version: 1,
    nodeId,
    kind: 'enter',
    at,
  });
  const delivery = (nodeId: string, createdAt: string, flowId = 'welcome'): Delivery => ({
    idempotencyKey: `${flowId}:${nodeId}:${createdAt}`,
    flowId,
    version: 1,
    nodeId,
    channel: 'sms',
    connector: 'outbox',
    status: 'sent',
    error: null,
    createdAt,
    sentAt: createdAt,
    lifecycle: { status: 'sent', at: createdAt, code: null, detail: null },
    statuses: [
      { status: 'queued', at: createdAt, code: null, detail: null },
      { status: 'sent', at: createdAt, code: null, detail: null },
    ],
  });

  it('gives each step and message to the journey of its run that had begun, oldest first', () => {
    // The API answers newest first.
    const journeys = journeysOf({
      enrollments: [
        enrollment('second', '2026-12-02T00:00:00Z'),
        enrollment('other', '2026-12-01T12:00:00Z', 'sale'),
        enrollment('first', '2026-12-01T00:00:00Z'),
      ],
      journey: [
        step('greet', '2026-12-02T00:00:01Z'),
        step('in', '2026-12-02T00:00:00Z'),
        step('in', '2026-12-01T12:00:00Z', 'sale'),
        step('greet', '2026-12-01T00:00:01Z'),
        // Stamped a moment before its journey's recorded start (another machine's clock).
        step('in', '2026-11-30T23:59:59Z'),
      ],
      deliveries: [delivery('greet', '2026-12-02T00:00:02Z'), delivery('greet', '2026-12-01T00:00:02Z')],
    });
    expect(journeys.map((j) => j.enrollment.runId)).toEqual(['second', 'other', 'first']);
    expect(journeys.map((j) => j.steps.map((s) => `${s.nodeId}@${s.at.slice(8, 10)}`))).toEqual([
      ['in@02', 'greet@02'],
      ['in@01'],
      ['in@30', 'greet@01'],
    ]);
    expect(journeys.map((j) => j.deliveries.map((d) => d.createdAt.slice(8, 10)))).toEqual([
      ['02'],
      [],
      ['01'],
    ]);
  });
});
