/**
 * What a write to a membership or a conversation changed, stamped on the item (`lastChange`), so that the
 * table stream's event filter (functions/streams/stream-filter.ts) passes the changes that are events and
 * drops the rest before the consumer is ever invoked: a send moving its sender's read marker, a preview or a
 * member count kept up to date. Each writer of such an item says what it changed.
 */
export const LAST_CHANGE = 'lastChange';

export const MemberChange = {
  /** A new membership (a conversation created, members added). */
  joined: 'joined',
  /** The member moved their read marker (`POST …/read`): read receipts. */
  read: 'read',
  /** The member's role changed (promoted, demoted, or handed ownership). */
  role: 'role',
  /** Sending moved the sender's read marker: `message.created` already says so; no event of its own. */
  sent: 'sent',
  /** A block between the two members of a direct chat was set or lifted (`blockedBy`): no event. */
  blocked: 'blocked',
  /** The member muted or unmuted the conversation (`muteEnds`): an event for them alone (their other devices). */
  muted: 'muted',
} as const;

export const ConversationChange = {
  created: 'created',
  /** A group was renamed: an event. */
  renamed: 'renamed',
  /** Members were added (the member count): their own records are the events. */
  members: 'members',
  /**
   * A member left or was removed (the member count). Not an event of its own (the membership's removal is), but
   * it passes the stream filter to carry the removal's time (`changedAt`), which a removal's record lacks: the
   * consumer then tells a member added after it from one who was there (projections/conversation-batch.ts).
   */
  removed: 'removed',
  /** The last-message preview, kept by the stream consumer. */
  preview: 'preview',
} as const;

/** The `lastChange` values that are events; the stream filter passes exactly these. */
export const EVENT_CHANGES: readonly string[] = [
  MemberChange.joined,
  MemberChange.read,
  MemberChange.role,
  MemberChange.muted,
  ConversationChange.renamed,
  ConversationChange.removed,
];
