/**
 * Key builders for every item type in the table. `docs/data-model.md` describes the same items; keep the two
 * in step.
 */

/** The public profile of a user. Never holds credentials. */
export const userKey = (userId: string) => ({ PK: `USER#${userId}`, SK: 'PROFILE' });

/**
 * On a profile written by a request that set `showPresence`, the region it was written in (`single` with one
 * region); removed by every other profile update. The stream filter passes such writes, and the consumer of
 * that region announces a change of the setting (realtime/presence.ts, announcePresenceSetting).
 */
export const PRESENCE_SET_IN = 'presenceSetIn';
export const SINGLE_REGION = 'single';

/**
 * The claim on a username (lower-cased, so uniqueness ignores case). It holds the user id and the password
 * hash, so a login reads credentials by the name the user types, in one strongly consistent GetItem.
 */
export const usernameKey = (username: string) => ({
  PK: `USERNAME#${username.toLowerCase()}`,
  SK: 'USERNAME',
});

/**
 * A refresh token, keyed by the SHA-256 of the token so the table never holds a usable token. It names its
 * session; once rotated it stays (marked `rotatedAt`) until it would have expired, so presenting it again is
 * recognised as reuse.
 */
export const refreshTokenKey = (tokenHash: string) => ({ PK: `REFRESH#${tokenHash}`, SK: 'REFRESH' });

/** A session (one login), in its user's partition: one Query lists a user's sessions. */
export const sessionKey = (userId: string, sessionId: string) => ({
  PK: `USER#${userId}`,
  SK: `SESSION#${sessionId}`,
});
export const SESSION_PREFIX = 'SESSION#';

/** A conversation's own state: type, name, member count, last message preview. */
export const conversationKey = (conversationId: string) => ({ PK: `CONV#${conversationId}`, SK: 'META' });

/** A user's membership of a conversation: role, when they joined, and their read marker (read receipts). */
export const memberKey = (conversationId: string, userId: string) => ({
  PK: `CONV#${conversationId}`,
  SK: `MEMBER#${userId}`,
});
export const MEMBER_PREFIX = 'MEMBER#';

/**
 * A member removed or gone, kept for two days after (`expiresAt`): the membership as it was and when it ended,
 * so the stream consumer still addresses the changes made before the removal to them when it reads the members
 * after the removal (projections/conversation-batch.ts). `MEMBER!` sorts just before `MEMBER#`: the consumer's
 * one Query of the members takes these along, while every other reader of members (and the stream filter's
 * `MEMBER#` patterns) never sees them.
 */
export const departedMemberKey = (conversationId: string, userId: string, leftAt: string) => ({
  PK: `CONV#${conversationId}`,
  SK: `${DEPARTED_PREFIX}${userId}#${leftAt}`,
});
export const DEPARTED_PREFIX = 'MEMBER!';

/**
 * A member's inbox entry for a conversation: its position in the member's inbox and the member's unread
 * count. An item of its own (not the membership) so that moving it, once per member per message, is not a
 * change the table stream's consumer receives. Its GSI1 entry is the user's inbox, sorted by the
 * conversation's latest activity (a ULID, so newest first when read backwards).
 */
export const inboxKey = (conversationId: string, userId: string) => ({
  PK: `CONV#${conversationId}`,
  SK: `${INBOX_PREFIX}${userId}`,
});
export const INBOX_PREFIX = 'INBOX#';
export const inboxIndexKey = (userId: string, activityId: string) => ({
  GSI1PK: `INBOX#${userId}`,
  GSI1SK: `ACT#${activityId}`,
});

/**
 * Left a group: refuses adds by others until the user agrees to come back (`consentedAt`). Sorts before
 * `MEMBER#`, so reading the conversation with its members never reads it.
 */
export const leftMarkerKey = (conversationId: string, userId: string) => ({
  PK: `CONV#${conversationId}`,
  SK: `LEFT#${userId}`,
});

/** A message, sorted by its ULID within the conversation. */
export const messageKey = (conversationId: string, messageId: string) => ({
  PK: `CONV#${conversationId}`,
  SK: `MSG#${messageId}`,
});
export const MESSAGE_PREFIX = 'MSG#';

/**
 * A reply's entry in index GSI1 (the index the inbox uses; a partition of its own per thread): one Query reads a
 * thread's replies in order, without a second copy of the message or an index of its own. Only replies have it.
 */
export const threadIndexKey = (conversationId: string, rootId: string, replyId: string) => ({
  GSI1PK: `THREAD#${conversationId}#${rootId}`,
  GSI1SK: `${MESSAGE_PREFIX}${replyId}`,
});

/** Remembers a sender's clientMessageId so a retried send returns the original message. */
export const clientMessageKey = (conversationId: string, senderId: string, clientMessageId: string) => ({
  PK: `CONV#${conversationId}`,
  SK: `CMID#${senderId}#${clientMessageId}`,
});

export const conversationIdFromPk = (pk: string) => pk.slice('CONV#'.length);

/**
 * The head of a user's change feed: the last position taken (`seq`) and the user's open WebSocket connections
 * (one attribute each, see feed-store.ts). The one write that takes positions for a user's new events also
 * returns where to post them.
 */
export const feedHeadKey = (userId: string) => ({ PK: `USER#${userId}`, SK: 'FEED' });

/** Positions are zero-padded so that the sort key orders them as numbers. */
export const FEED_POSITION_DIGITS = 16;
/** One event in a user's change feed, at its position (`seq`); expires after the retention window. */
export const feedEntryKey = (userId: string, seq: number) => ({
  PK: `FEED#${userId}`,
  SK: String(seq).padStart(FEED_POSITION_DIGITS, '0'),
});

/** Who owns a connection: $disconnect and client actions know only the connection id. */
export const CONNECTION_OWNER_SORT_KEY = 'OWNER';
export const connectionOwnerKey = (connectionId: string) => ({
  PK: `CONN#${connectionId}`,
  SK: CONNECTION_OWNER_SORT_KEY,
});

/** When a user's typing indicator in a conversation was last relayed (rate limit across functions). */
export const typingKey = (conversationId: string, userId: string) => ({
  PK: `TYPING#${conversationId}#${userId}`,
  SK: 'TYPING',
});

/** An upload: who owns it, what was declared, and whether the stored object passed the checks. */
export const mediaKey = (mediaId: string) => ({ PK: `MEDIA#${mediaId}`, SK: 'MEDIA' });

/**
 * A fixed-window counter of a limit (functions/shared/limits): how many calls `subject` (a user id, an IP,
 * a lower-cased username) made in the window starting at `windowStart` (epoch seconds). Expires with its
 * window (TTL). Every counter's key starts with RATE#: the functions may update only those (IAM LeadingKeys).
 */
export const rateCounterKey = (limit: string, subject: string, windowStart: number) => ({
  PK: `RATE#${limit}#${subject}`,
  SK: String(windowStart),
});
export const RATE_COUNTER_PREFIX = 'RATE#';

/**
 * One user's reaction with one emoji to a message, in the conversation's partition, keyed for listing who
 * reacted with an emoji (`begins_with(SK, 'REACTION#<message>#<emoji>#')`, by user id). The emoji is the
 * canonical one (domain/emoji.ts); no emoji has a `#` after its first character, so prefixes never overlap.
 */
export const reactionKey = (conversationId: string, messageId: string, emoji: string, userId: string) => ({
  PK: `CONV#${conversationId}`,
  SK: `${reactionPrefix(messageId, emoji)}${userId}`,
});
export const reactionPrefix = (messageId: string, emoji: string) => `REACTION#${messageId}#${emoji}#`;

/**
 * The same reaction keyed by its user first: one Query of `REACTED#<user>#` between two message ids gives the
 * caller's own reactions on a whole page of history (the `me` of each count), whatever others did.
 */
export const reactedKey = (conversationId: string, userId: string, messageId: string, emoji: string) => ({
  PK: `CONV#${conversationId}`,
  SK: `${reactedPrefix(userId)}${messageId}#${emoji}`,
});
export const reactedPrefix = (userId: string) => `REACTED#${userId}#`;

/**
 * An account being deleted (and, once done, that it was): the state of its sweep through conversations and
 * media (domain/account-deletion.ts). Each write of it is a stream record that runs the next step.
 */
export const accountDeletionKey = (userId: string) => ({ PK: `USER#${userId}`, SK: ACCOUNT_DELETION_SK });
export const ACCOUNT_DELETION_SK = 'DELETION';

/** A user's latest data export: its status and, once written, the S3 key of the file. */
export const dataExportKey = (userId: string) => ({ PK: `USER#${userId}`, SK: DATA_EXPORT_SK });
export const DATA_EXPORT_SK = 'EXPORT';

/** The sender's idempotency records in a conversation (`CMID#<sender>#…`): removed with a deleted account. */
export const clientMessagePrefix = (senderId: string) => `CMID#${senderId}#`;

/**
 * A block: `blockerId` blocked `blockedId`. In the blocker's partition, so one Query lists their blocks
 * (`begins_with(SK, 'BLOCK#')`), and a ConditionCheck of one key answers "did A block B?" inside a transaction.
 */
export const blockKey = (blockerId: string, blockedId: string) => ({
  PK: `USER#${blockerId}`,
  SK: `${BLOCK_PREFIX}${blockedId}`,
});
export const BLOCK_PREFIX = 'BLOCK#';

/**
 * The same block in the blocked user's partition: one Query of `BLOCKEDBY#` gives everyone who blocked an
 * author, which is what the stream consumer needs to leave them out of that author's events (one read per
 * author and batch, not one per recipient). Never shown through the API.
 */
export const blockedByKey = (blockedId: string, blockerId: string) => ({
  PK: `USER#${blockedId}`,
  SK: `${BLOCKED_BY_PREFIX}${blockerId}`,
});
export const BLOCKED_BY_PREFIX = 'BLOCKEDBY#';

/**
 * A profile's entry in index GSI1 under one partition of all usernames, sorted by the lower-cased name: the
 * administrators' search by username prefix is one Query of `begins_with(GSI1SK, prefix)` (no Scan).
 */
export const usernameIndexKey = (username: string) => ({
  GSI1PK: USERNAMES_PARTITION,
  GSI1SK: username.toLowerCase(),
});
export const USERNAMES_PARTITION = 'USERNAMES';

/** One administrative action, in one partition of all of them sorted by its ULID (newest last). */
export const auditKey = (auditId: string) => ({ PK: AUDIT_PARTITION, SK: `AUDIT#${auditId}` });
export const AUDIT_PARTITION = 'AUDIT';
export const AUDIT_PREFIX = 'AUDIT#';

/** A report of a message or a user, with the queue entry (GSI1) that lists open reports before resolved ones. */
export const reportKey = (reportId: string) => ({ PK: `REPORT#${reportId}`, SK: 'REPORT' });
export const reportIndexKey = (status: 'open' | 'resolved', reportId: string) => ({
  GSI1PK: REPORTS_PARTITION,
  GSI1SK: `${status === 'open' ? 'OPEN' : 'RESOLVED'}#${reportId}`,
});
export const REPORTS_PARTITION = 'REPORTS';
