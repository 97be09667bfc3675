/**
 * Which stream records the table-stream function receives: the sort-key prefixes it acts on. The stack
 * turns this into Lambda event filtering (records it would ignore are never paid for) and the local poller
 * applies the same filter.
 */
// MSG#: messages (inbox fan-out, previews, real-time delivery). MEMBER#: members added, removed, read markers
// (real-time delivery; the inbox moves of member items come back here too and are ignored).
export const STREAM_SORT_KEY_PREFIXES = ['MSG#', 'MEMBER#'] as const;

export function matchesStreamFilter(sortKey: string | undefined): boolean {
  return sortKey !== undefined && STREAM_SORT_KEY_PREFIXES.some((prefix) => sortKey.startsWith(prefix));
}
