/**
 * How long a refused call (429, or 503) asks the client to wait, in whole seconds, from its `Retry-After`
 * (seconds or an HTTP date); undefined when there is none. Browsers read it only when CORS exposes it (the
 * API does). Its own module (no DOM types), so Node code and the unit tests can import it.
 */
export function retryAfterSeconds(response?: Response, now = Date.now()): number | undefined {
  const value = response?.headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}
