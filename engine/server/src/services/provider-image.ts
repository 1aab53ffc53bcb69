/**
 * An image a provider serves at a URL of its own (a WeCom QR code), fetched by the server so the
 * builder shows it from its own origin: an image, or why not.
 */
export async function fetchProviderImage(
  url: string,
  options: { maxBytes?: number } = {},
): Promise<{ ok: true; bytes: ArrayBuffer; type: string } | { ok: false; reason: string }> {
  try {
    const answer = await fetch(url, { signal: AbortSignal.timeout(10_000), redirect: 'follow' });
    const type = answer.headers.get('content-type') ?? '';
    if (!answer.ok || !type.startsWith('image/'))
      return { ok: false, reason: `the provider answered ${answer.status} ${type || 'without a type'}` };
    const bytes = await answer.arrayBuffer();
    if (options.maxBytes !== undefined && bytes.byteLength > options.maxBytes)
      return { ok: false, reason: `it is larger than ${options.maxBytes} bytes` };
    return { ok: true, bytes, type };
  } catch (error) {
    return { ok: false, reason: `it could not be fetched: ${(error as Error).message}` };
  }
}
