/**
 * Multi-region (docs/global.md): every replica of a global table sees every write in its stream, its own and
 * the ones replicated from other regions. Work that must happen once per write (the inbox fan-out and the
 * previews, which themselves write) runs only in the region the write came from, known by the `writtenIn`
 * stamp on message items; work that is per region (posting to the WebSocket connections held there) runs in
 * every region, each for its own connections, known by their `region`.
 */
import { config } from '../config';

/** Stamped on every message write: the region it happened in. */
export const originStamp = (region = config.region): { writtenIn?: string } =>
  region ? { writtenIn: region } : {};

/** True when the item was written in this region, or carries no stamp (single region, older items). */
export function writtenHere(item: Record<string, unknown> | undefined, region = config.region): boolean {
  const origin = item?.writtenIn;
  return typeof origin !== 'string' || region === undefined || origin === region;
}

/** True when a connection item belongs to this region's WebSocket API (or carries no region). */
export function connectedHere(item: object, region = config.region): boolean {
  const where = (item as { region?: unknown }).region;
  return typeof where !== 'string' || region === undefined || where === region;
}
