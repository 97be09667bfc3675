/**
 * Which stream records the table-stream function receives. One list of Lambda event-filter patterns: the
 * stack turns each into a filter of the event source mapping (records no pattern matches are never paid
 * for), and the local poller applies the same patterns with `matchesStreamFilter`.
 *
 * A record passes when it means something: a message created, edited or deleted; a membership ended; a
 * membership, read marker, role, mute or group name changed (the writer stamps `lastChange`, see
 * data/changes.ts); a profile whose old image had a picture, or whose write set the presence setting. What is
 * dropped: inbox entries (their own items, never matched), departed members (`MEMBER!`, never matched), the read
 * marker a send moves, previews and the member counts of additions (a removal's passes, for its time), typing
 * slots, feed items. A session item removed closes that session's WebSockets. A connection owner item put or
 * deleted registers or forgets the connection (the one write of $connect and $disconnect; see
 * realtime/connections.ts). Lambda allows five patterns per event source mapping (ten on request); this list
 * uses five.
 */
import { EVENT_CHANGES, LAST_CHANGE } from '../shared/data/changes';
import {
  ACCOUNT_DELETION_SK,
  CONNECTION_OWNER_SORT_KEY,
  DATA_EXPORT_SK,
  MEMBER_PREFIX,
  MESSAGE_PREFIX,
  PRESENCE_SET_IN,
} from '../shared/data/keys';
import { tableDefinition } from '../shared/data/table-definition';

const SK = tableDefinition.sortKey;

/** One rule of Lambda's filter grammar, the subset we use. */
export type FilterRule =
  | string
  | { prefix: string }
  | { exists: boolean }
  | { 'anything-but': readonly string[] };
export interface FilterPattern {
  [field: string]: FilterPattern | readonly FilterRule[];
}

/** Profiles whose old image had a picture: a replaced or removed picture's file is deleted. */
export const PICTURE_CHANGES = { sortKey: 'PROFILE', oldImageAttribute: 'avatarKey' } as const;

/** Sessions removed (ended by the user, by reuse detection, or expired by TTL): their WebSockets close. */
export const SESSION_ENDS = { sortKeyPrefix: 'SESSION#', eventName: 'REMOVE' } as const;

/** The pattern of those profiles (left out where another region deletes the files). */
export const PICTURE_CHANGES_PATTERN: FilterPattern = {
  dynamodb: {
    Keys: { [SK]: { S: [PICTURE_CHANGES.sortKey] } },
    OldImage: { [PICTURE_CHANGES.oldImageAttribute]: { S: [{ exists: true }] } },
  },
};

/** Profiles written by a request that set `showPresence`: a change of the setting is announced. */
export const PRESENCE_SETTINGS = { sortKey: 'PROFILE', newImageAttribute: PRESENCE_SET_IN } as const;

/** The deletion marker of an account (`USER#<id>` / `DELETION`): each write runs the sweep's next step. */
export const ACCOUNT_DELETION_STEPS = { sortKey: ACCOUNT_DELETION_SK } as const;
/** A user's data export (`USER#<id>` / `EXPORT`): a pending one's record writes the file. */
export const DATA_EXPORTS = { sortKey: DATA_EXPORT_SK } as const;

export const STREAM_FILTER_PATTERNS: readonly FilterPattern[] = [
  // Messages: created, edited, deleted. An account deletion's steps and data exports. Connection owner items
  // put ($connect) and deleted ($disconnect, TTL): the consumer registers or forgets the connection on its
  // user's feed head and updates presence. (In this pattern, not patterns of their own: the mapping's five are
  // taken.)
  {
    dynamodb: {
      Keys: {
        [SK]: {
          S: [
            { prefix: MESSAGE_PREFIX },
            ACCOUNT_DELETION_STEPS.sortKey,
            DATA_EXPORTS.sortKey,
            CONNECTION_OWNER_SORT_KEY,
          ],
        },
      },
    },
  },
  // A member left or was removed (the old image says who); a session ended (its WebSockets close).
  {
    eventName: [SESSION_ENDS.eventName],
    dynamodb: { Keys: { [SK]: { S: [{ prefix: MEMBER_PREFIX }, { prefix: SESSION_ENDS.sortKeyPrefix }] } } },
  },
  // Joins, read markers, roles, mutes (memberships) and renames (the conversation): the writer says what changed.
  {
    dynamodb: {
      Keys: { [SK]: { S: [{ prefix: MEMBER_PREFIX }, 'META'] } },
      NewImage: { [LAST_CHANGE]: { S: EVENT_CHANGES } },
    },
  },
  PICTURE_CHANGES_PATTERN,
  {
    dynamodb: {
      Keys: { [SK]: { S: [PRESENCE_SETTINGS.sortKey] } },
      NewImage: { [PRESENCE_SETTINGS.newImageAttribute]: { S: [{ exists: true }] } },
    },
  },
];

function matchesRule(value: unknown, rule: FilterRule): boolean {
  if (typeof rule === 'string') return value === rule;
  if ('prefix' in rule) return typeof value === 'string' && value.startsWith(rule.prefix);
  if ('exists' in rule) return (value !== undefined) === rule.exists;
  return value !== undefined && typeof value !== 'object' && !rule['anything-but'].includes(String(value));
}

function matches(value: unknown, pattern: FilterPattern | readonly FilterRule[]): boolean {
  if (Array.isArray(pattern)) return pattern.some((rule) => matchesRule(value, rule));
  const object = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  return Object.entries(pattern as FilterPattern).every(([field, inner]) => matches(object[field], inner));
}

/** Whether Lambda would hand this stream record (as Lambda shapes it) to the function. */
export function matchesStreamFilter(record: { eventName?: string; dynamodb?: unknown }): boolean {
  return STREAM_FILTER_PATTERNS.some((pattern) => matches(record, pattern));
}
