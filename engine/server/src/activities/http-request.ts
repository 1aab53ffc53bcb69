import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { type HttpAnswer, renderTemplate } from '@sopflow/core';
import type { HttpRequestInput } from '@sopflow/workflows';
import { ApplicationFailure } from '@temporalio/common';
import { permanentFailure } from './failures';

/** Addresses a flow may not call unless an admin allows the host: this machine, private networks, cloud metadata. */
const internal = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  internal.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['::ffff:0:0', 96],
] as const) {
  internal.addSubnet(net, prefix, 'ipv6');
}

/** The largest answer body kept for later steps. */
const MAX_BODY_CHARS = 64 * 1024;

export interface HttpPolicy {
  /** Hosts an admin allows even though they resolve to internal addresses. */
  allowedHosts: readonly string[];
}

async function checkTarget(url: URL, policy: HttpPolicy) {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw permanentFailure(`Only http and https URLs may be called, not ${url.protocol}`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (policy.allowedHosts.includes(host)) return;
  const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await lookup(host, { all: true });
  for (const { address, family } of addresses) {
    if (internal.check(address, family === 6 ? 'ipv6' : 'ipv4')) {
      throw permanentFailure(
        `${host} resolves to an internal address (${address}); an admin must allow this host.`,
      );
    }
  }
}

/** Calls an external system for an http_request step; 5xx, 429 and network errors are retried. */
export async function httpRequest(policy: HttpPolicy, input: HttpRequestInput): Promise<HttpAnswer> {
  let url: URL;
  try {
    url = new URL(renderTemplate(input.url, input.data));
  } catch {
    throw permanentFailure('The request URL is not a valid URL once filled in.');
  }
  await checkTarget(url, policy);
  const headers = Object.fromEntries(
    Object.entries(input.headers ?? {}).map(([name, value]) => [name, renderTemplate(value, input.data)]),
  );
  const body = input.body === undefined ? undefined : renderTemplate(input.body, input.data);
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers['content-type'] = 'application/json';
  }
  // Redirects are not followed: a redirect could lead to an internal address the check never saw.
  const response = await fetch(url, { method: input.method, headers, body, redirect: 'manual' });
  const text = (await response.text()).slice(0, MAX_BODY_CHARS);
  let parsed: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json')) {
    try {
      parsed = JSON.parse(text);
    } catch {
      // Keep the text: the body claimed JSON but is not.
    }
  }
  if (response.status >= 500 || response.status === 429) {
    throw ApplicationFailure.create({
      message: `${url.host} answered ${response.status}`,
      type: 'retryable',
    });
  }
  if (response.status >= 400)
    throw permanentFailure(`${url.host} answered ${response.status}: ${text.slice(0, 200)}`);
  return { status: response.status, body: parsed };
}
