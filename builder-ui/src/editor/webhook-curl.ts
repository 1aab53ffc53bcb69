import type { PayloadField } from '@sopflow/core';

/**
 * What the trigger's inspector hands an operator to try a flow's webhook from a terminal: a body
 * for a test contact, and a `curl` that signs it as the webhook checks (`t=<unix seconds>,v1=<hex
 * HMAC-SHA256(secret, "<t>.<body>")>`) with openssl, so it can be pasted as it is.
 */

/** A value of each declared payload field's type, so a test delivery passes the trigger's checks. */
export function samplePayload(fields: readonly PayloadField[] | undefined): Record<string, unknown> {
  const sample: Record<string, unknown> = {};
  for (const field of fields ?? [])
    sample[field.name] =
      field.type === 'number'
        ? 1
        : field.type === 'boolean'
          ? true
          : field.type === 'object'
            ? {}
            : field.type === 'array'
              ? []
              : 'test';
  return sample;
}

export function testBody(contactId: string, event: Record<string, unknown>): string {
  return JSON.stringify({ contact: { id: contactId }, event });
}

/** Single-quoted for a POSIX shell: the text exactly, whatever it holds. */
const quoted = (text: string) => `'${text.replaceAll("'", `'"'"'`)}'`;

export function webhookCurl(
  hook: { url: string; secret: string; signatureHeader: string },
  body: string,
): string {
  return [
    `SECRET=${quoted(hook.secret)}`,
    `BODY=${quoted(body)}`,
    'T=$(date +%s)',
    `SIG=$(printf '%s' "$T.$BODY" | openssl dgst -sha256 -hmac "$SECRET" -r | cut -d' ' -f1)`,
    `curl -sS -X POST ${quoted(hook.url)} \\`,
    `  -H 'content-type: application/json' \\`,
    `  -H "${hook.signatureHeader}: t=$T,v1=$SIG" \\`,
    `  -d "$BODY"`,
  ].join('\n');
}
