import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { samplePayload, testBody, webhookCurl } from './webhook-curl';

describe('trying a webhook from a terminal', () => {
  it('fills each declared payload field with a value of its type', () => {
    expect(
      samplePayload([
        { name: 'group', type: 'string', required: true },
        { name: 'count', type: 'number', required: false },
        { name: 'vip', type: 'boolean', required: false },
        { name: 'order', type: 'object', required: false },
        { name: 'items', type: 'array', required: false },
      ]),
    ).toEqual({ group: 'test', count: 1, vip: true, order: {}, items: [] });
    expect(samplePayload(undefined)).toEqual({});
  });

  it('gives a curl that signs its body as the webhook checks, quotes included', async () => {
    const secret = "s3cr'et";
    const body = testBody("o'neil", { note: 'it\'s "quoted" $HOME' });
    const seen: { header?: string; body: string }[] = [];
    const server = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk) => (raw += chunk));
      req.on('end', () => {
        seen.push({ header: req.headers['x-sopflow-signature'] as string | undefined, body: raw });
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/hooks/f`;
      const script = webhookCurl({ url, secret, signatureHeader: 'x-sopflow-signature' }, body);
      await promisify(execFile)('bash', ['-c', script], { timeout: 10_000 });
    } finally {
      server.close();
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]!.body).toBe(body);
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(seen[0]!.header ?? '') ?? [];
    expect(v1).toBe(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'));
  });
});
