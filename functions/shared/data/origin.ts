/**
 * Multi-region (docs/global.md): every replica of a global table sees every write in its stream, its own and
 * the ones replicated from other regions. Work that must happen once per write (the feeds, the inbox fan-out
 * and the previews, which themselves write) runs only in the region the write came from, known by the
 * `writtenIn` stamp on every item whose writes are events (messages, memberships, conversations). A removal's
 * image is the item as last written, the same in every region, so it too is handled by exactly one. Work that is per region (posting to the WebSocket connections held there) runs in
 * every region, each for its own connections, known by their `region`.
 */
import { config } from '../config';

/** Stamped on every write of an item whose changes are events: the region it happened in. */
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

/**
 * The stamps of a write made with an `UpdateExpression`, in one value so that each write builds them once:
 * `set` to append to its SET list (`, writtenIn = :writtenIn`, and `, changedAt = :changedAt` when given) and
 * `values` to spread into its `ExpressionAttributeValues`.
 *
 * `changedAt` is for renames and role changes and the member count of a removal (the writer's clock), stamped
 * beside `lastChange` (data/changes.ts): unlike messages, joins and read markers, those items say no time of
 * their own, and the stream consumer needs one to tell a member who joined after the change (whose join it
 * may already see) from one who was there for it.
 */
export function stampClause(
  options: { changedAt?: string } = {},
  region = config.region,
): { set: string; values: Record<string, string> } {
  const { writtenIn } = originStamp(region);
  const { changedAt } = options;
  return {
    set: (writtenIn ? ', writtenIn = :writtenIn' : '') + (changedAt ? ', changedAt = :changedAt' : ''),
    values: {
      ...(writtenIn ? { ':writtenIn': writtenIn } : {}),
      ...(changedAt ? { ':changedAt': changedAt } : {}),
    },
  };
}
