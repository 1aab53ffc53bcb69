/** An error and every error it was caused by, outermost first (clients wrap the failure they met). */
export function* errorCauses(error: unknown): Generator<{ code?: unknown; message?: unknown }> {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause)
    yield e as { code?: unknown; message?: unknown };
}
