import { defaultNode, type FlowNode, NODE_TYPES, nodeDefinition } from '@sopflow/core';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { conditionFields, messageVariables } from '../components/Inspector/forms';
import { NodeForm } from '../components/Inspector/NodeForm';
import { blankFlow } from '../editor/document';
import type { FormField } from '../editor/schema-form';
import { LocaleContext } from '../hooks/useLocale';
import { type Locale, messages } from '../i18n';
import { isShown, nodeFormFields, startValue, unionValue, valueAt, withValue } from './form';
import { exitCaption, NODE_MODULES, nodeHint, nodeLabel, nodeModule } from './index';

const LOCALES: Locale[] = ['en', 'zh'];

/** Every field of a form, groups', rows' and union shapes' fields included. */
function allFields(fields: readonly FormField[]): FormField[] {
  return fields.flatMap((f) => [
    f,
    ...(f.kind === 'group' || f.kind === 'rows' ? allFields(f.fields) : []),
    ...(f.kind === 'union' ? f.options.flatMap((o) => allFields(o.fields)) : []),
  ]);
}

function render(node: FlowNode, locale: Locale): string {
  const doc = { ...blankFlow('f', 'f'), nodes: [node] };
  const form = createElement(NodeForm, {
    node,
    edit: () => {},
    updateDoc: () => {},
    errors: [],
    doc,
    renderContext: { contact: { name: 'Vera' } },
  });
  return renderToStaticMarkup(
    createElement(
      LocaleContext.Provider,
      { value: { locale, t: messages[locale], setLocale: () => {} } },
      form,
    ),
  );
}

describe('the node modules', () => {
  it('give every node type of the core a builder module: an icon and a colour', () => {
    expect(Object.keys(NODE_MODULES).sort()).toEqual([...NODE_TYPES].sort());
    for (const type of NODE_TYPES) {
      expect(nodeModule(type).icon).toBeTruthy();
      expect(nodeModule(type).color).toMatch(/^#[0-9a-f]{6}$/);
    }
    expect(new Set(NODE_TYPES.map((t) => nodeModule(t).color)).size).toBe(NODE_TYPES.length);
  });

  it.each(LOCALES)('name every node type in %s, from the core definitions', (locale) => {
    for (const type of NODE_TYPES) {
      expect(nodeLabel(type, locale)).toBe(nodeDefinition(type).words.label[locale]);
      expect(nodeHint(type, locale)).toBeTruthy();
    }
    expect(nodeLabel('wait_for_event', 'zh')).toBe('等待事件');
  });

  it('caption named exits with their names, and a split arm on the card with its share', () => {
    const split = defaultNode('split', 's', { x: 0, y: 0 }, 'en');
    expect(exitCaption(split, 'a', true, {})).toBe('A 50%');
    expect(exitCaption(split, 'a', false, {})).toBe('A');
    const branch = defaultNode('branch', 'b', { x: 0, y: 0 }, 'en');
    expect(exitCaption(branch, 'else', true, { else: 'otherwise' })).toBe('otherwise');
  });
});

describe('what steps give later steps', () => {
  it('offers HTTP answers and the last event to messages and conditions, once each', () => {
    const doc = {
      ...blankFlow('f', 'f'),
      nodes: [
        defaultNode('http_request', 'http_1', { x: 0, y: 0 }, 'en'),
        defaultNode('wait_for_event', 'w1', { x: 0, y: 0 }, 'en'),
        defaultNode('wait_for_event', 'w2', { x: 0, y: 0 }, 'en'),
      ],
    };
    expect(messageVariables(doc)).toEqual([
      'contact.name',
      'contact.attributes.tier',
      'contact.points',
      'http.http_1.body',
      'lastEvent.payload.text',
      'flow.name',
    ]);
    expect(conditionFields(doc, false)).toEqual(['http.http_1.status']);
  });
});

describe('the generated node forms', () => {
  it.each(NODE_TYPES)('label every field of %s in zh and en, and need no JSON text', (type) => {
    for (const field of allFields(nodeFormFields(type))) {
      expect(field.label?.en, `${type} ${field.path}`).toBeTruthy();
      expect(field.label?.zh, `${type} ${field.path}`).toBeTruthy();
      expect(field.kind, `${type} ${field.path}`).not.toBe('json');
    }
  });

  it.each(NODE_TYPES)('draw every shown field of a new %s step, labelled in the language chosen', (type) => {
    for (const locale of LOCALES) {
      const node = defaultNode(type, 'step', { x: 0, y: 0 }, locale);
      const html = render(node, locale);
      const shown = nodeFormFields(type).filter((f) => isShown(f, node));
      for (const field of shown) expect(html, `${type} ${field.path}`).toContain(field.label![locale]);
      const union = shown.find((f) => f.kind === 'union');
      if (union?.kind === 'union') {
        const option = union.options.find((o) => o.value === valueAt(node, `${union.path}.kind`))!;
        for (const field of option.fields) expect(html).toContain(field.label![locale]);
      }
    }
  });

  it('keep the test ids the end-to-end tests drive the inspector by', () => {
    const ids = (type: (typeof NODE_TYPES)[number]) =>
      [...render(defaultNode(type, 'x', { x: 0, y: 0 }, 'en'), 'en').matchAll(/data-testid="([^"]+)"/g)].map(
        (m) => m[1],
      );
    expect(ids('trigger')).toEqual(expect.arrayContaining(['field-trigger-kind', 'field-trigger-event']));
    expect(ids('send')).toEqual(expect.arrayContaining(['field-channel', 'field-message']));
    expect(ids('wait')).toEqual(expect.arrayContaining(['field-duration-amount', 'field-duration-unit']));
    expect(ids('wait_for_event')).toEqual(expect.arrayContaining(['field-event', 'field-timeout-amount']));
    expect(ids('branch')).toEqual(expect.arrayContaining(['branch-0', 'branch-0-when', 'branch-add']));
    expect(ids('split')).toEqual(expect.arrayContaining(['arm-0-weight', 'arm-1-weight']));
  });

  it('count a new wait step in calendar days, and show an older one (no field) in 24-hour days', () => {
    const checkbox = (html: string) =>
      /<input type="checkbox"[^>]*data-testid="field-calendarDays"[^>]*>/.exec(html)?.[0];
    const made = defaultNode('wait', 'w', { x: 0, y: 0 }, 'zh');
    const html = render(made, 'zh');
    expect(html).toContain('按日历天计算');
    expect(checkbox(html)).toContain('checked');
    const { calendarDays: _, ...older } = made as typeof made & { calendarDays?: boolean };
    expect(checkbox(render(older as typeof made, 'en'))).not.toContain('checked');
  });

  it('show a staff member the address field of their channel only', () => {
    const node = defaultNode('staff_task', 't', { x: 0, y: 0 }, 'en');
    const html = render(node, 'en');
    expect(html).toContain('WeCom user id');
    expect(html).not.toContain('>Phone<');
    expect(render(withValue(node, 'assignee.channel', 'sms'), 'en')).toContain('Phone');
  });
});

describe('node form values', () => {
  it('set and clear values at a path without touching the rest', () => {
    const node = defaultNode('send', 's', { x: 0, y: 0 }, 'en');
    const withFallback = withValue(node, 'fallback.channel', 'sms');
    expect(withFallback).toMatchObject({ channel: 'wechat', fallback: { channel: 'sms' } });
    expect(node).not.toHaveProperty('fallback');
    expect(withValue(withFallback, 'fallback', undefined)).toEqual(node);
    expect(Object.keys(withValue(node, 'channel', 'sms'))).toEqual(Object.keys(node));
  });

  it('keep what a trigger shape shares when its kind changes, and start what it needs', () => {
    const trigger = nodeFormFields('trigger').find((f) => f.kind === 'union')!;
    if (trigger.kind !== 'union') throw new Error('the trigger is a union');
    const old = { kind: 'webhook', event: 'member.joined', payload: [{ name: 'a', type: 'string' }] };
    expect(unionValue(trigger, 'event', old)).toEqual({
      kind: 'event',
      event: 'member.joined',
      payload: old.payload,
    });
    expect(unionValue(trigger, 'schedule', old)).toEqual({ kind: 'schedule', cron: '' });
    expect(unionValue(trigger, 'manual', old)).toEqual({ kind: 'manual', payload: old.payload });
  });

  it('start an optional group with what its required fields need', () => {
    const escalation = nodeFormFields('staff_task').find((f) => f.name === 'escalation')!;
    expect(startValue(escalation)).toEqual({ after: 'P1D', assignee: { channel: 'wechat', id: '' } });
  });
});
