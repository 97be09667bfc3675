/**
 * Which stream records the table-stream function receives: the sort-key prefixes it acts on, and profiles
 * that had a picture. The stack turns this into Lambda event filtering (records it would ignore are never
 * paid for) and the local poller applies the same filter.
 */
// MSG#: messages (inbox fan-out, previews, real-time delivery). MEMBER#: members added, removed, read markers
// (real-time delivery; the inbox moves of member items come back here too and are ignored).
export const STREAM_SORT_KEY_PREFIXES = ['MSG#', 'MEMBER#'] as const;

/** Profiles whose old image had a picture: a replaced or removed picture's file is deleted. */
export const PICTURE_CHANGES = { sortKey: 'PROFILE', oldImageAttribute: 'avatarKey' } as const;

/** Sessions removed (ended by the user, by reuse detection, or expired by TTL): their WebSockets close. */
export const SESSION_ENDS = { sortKeyPrefix: 'SESSION#', eventName: 'REMOVE' } as const;

export function matchesStreamFilter(
  sortKey: string | undefined,
  oldImage?: Record<string, unknown>,
  eventName?: string,
): boolean {
  if (sortKey === undefined) return false;
  if (sortKey.startsWith(SESSION_ENDS.sortKeyPrefix)) return eventName === SESSION_ENDS.eventName;
  if (sortKey === PICTURE_CHANGES.sortKey) {
    const attribute = oldImage?.[PICTURE_CHANGES.oldImageAttribute] as { S?: unknown } | undefined;
    return typeof attribute?.S === 'string';
  }
  return STREAM_SORT_KEY_PREFIXES.some((prefix) => sortKey.startsWith(prefix));
}
