/**
 * Conversations: direct chats (one per pair of users) and groups with roles. Non-members get NotFound for
 * everything, so conversation ids cannot be probed.
 */
import { createHash } from 'node:crypto';
import { config } from '../config';
import { ConversationChange, LAST_CHANGE, MemberChange } from '../data/changes';
import { tableName } from '../data/client';
import type { ConversationRecord, MemberRecord, Role } from '../data/conversations-store';
import * as store from '../data/conversations-store';
import { getHeads } from '../data/feed-store';
import { deleteInboxEntryItem, type InboxRecord, putInboxEntries, queryInbox } from '../data/inbox-store';
import { blockKey, conversationKey, inboxKey, leftMarkerKey, memberKey, userKey } from '../data/keys';
import { muteOf } from '../data/mutes-store';
import { stampClause } from '../data/origin';
import {
  CannotMessageUserError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '../errors';
import type { Presence } from '../schemas/users';
import { inboxCursor } from './cursors';
import { ulid, ulidFloor } from './ids';
import { presenceOf } from './presence';

export type { ConversationRecord, MemberRecord, Role };

/** Up to this many members, listings show the members themselves; above it, only the count. */
export const SMALL_CONVERSATION = 10;
const MODERATORS: Role[] = ['owner', 'admin'];

export const conversationNotFound = (conversationId: string) =>
  new NotFoundError(`No conversation "${conversationId}" that you are a member of.`);

/**
 * A block stands between the caller and the user they address (docs/architecture.md, "Blocking and muting"). The blocked
 * user learns only that they cannot message this user, the same answer for a direct chat that exists or not,
 * a message, or an add to a group; the blocker is reminded it is their own block.
 */
export const cannotMessage = (byMe: boolean, errors?: { field: string; message: string }[]) =>
  new CannotMessageUserError(
    byMe
      ? 'You blocked this user: unblock them (DELETE /users/me/blocks/{userId}) to message them again.'
      : "You can't message this user.",
    errors,
  );

/** The same id for the same pair whoever asks, so the conditional create finds an existing chat. */
export function directConversationId(userA: string, userB: string): string {
  const pair = [userA, userB].sort().join(':');
  return `dm_${createHash('sha256').update(pair).digest('base64url').slice(0, 32)}`;
}

export interface ConversationDetails extends ConversationRecord {
  members: (MemberRecord & { username?: string; displayName?: string; presence?: Presence })[];
  myRole: Role;
  muted: boolean;
  mutedUntil?: string;
}

/**
 * The conversation with its members' names; `mine`: the caller's membership item as stored, for what only they
 * see (their mute); with `presence`, also each member's presence as the caller sees it (their feed heads, read
 * beside the profiles: hidden presence shows offline, except the caller's own).
 */
async function withProfiles(
  conversation: ConversationRecord,
  members: MemberRecord[],
  callerId: string,
  mine?: Record<string, unknown>,
  options: { presence?: boolean } = {},
) {
  const me = members.find((member) => member.userId === callerId);
  if (!me) throw conversationNotFound(conversation.id);
  const [profiles, heads] = await Promise.all([
    store.batchGet(
      members.map((member) => userKey(member.userId)),
      ['id', 'username', 'displayName', 'showPresence'],
    ),
    options.presence ? getHeads(members.map((member) => member.userId)) : [],
  ]);
  const byId = new Map(profiles.map((profile) => [profile.id as string, profile]));
  const headOf = new Map(heads.map((head) => [head.userId, head]));
  const now = Date.now();
  return {
    ...conversation,
    myRole: me.role,
    ...muteOf(mine),
    members: members.map((member) => {
      const profile = byId.get(member.userId);
      const shown = profile?.showPresence !== false || member.userId === callerId;
      return {
        ...member,
        username: profile?.username as string | undefined,
        displayName: profile?.displayName as string | undefined,
        ...(options.presence ? { presence: presenceOf(headOf.get(member.userId), shown, now) } : {}),
      };
    }),
  } satisfies ConversationDetails;
}

function newMember(conversationId: string, userId: string, role: Role, joinedAt: string): MemberRecord {
  return { conversationId, userId, role, joinedAt, lastReadMessageId: null, lastReadAt: null };
}

/**
 * A new member's inbox entry: at the top of their inbox (when they joined), nothing unread. The stream consumer
 * creates the same entry from the membership's own record (projections/inbox.ts); writing it here as well lets
 * whoever just created or joined a conversation see it in their inbox at once.
 */
export function newInboxEntry(member: MemberRecord, latestMessageId: string | null): InboxRecord {
  return {
    conversationId: member.conversationId,
    userId: member.userId,
    activityId: ulidFloor(Date.parse(member.joinedAt)),
    unreadCount: 0,
    unreadMentionCount: 0,
    readUpTo: member.lastReadMessageId,
    latestMessageId,
    appliedUpTo: null,
  };
}

/**
 * Creates the direct conversation of two users unless it exists; says whether it created it. `field` names
 * the other user in errors: `userId` for POST /conversations, `recipient` for the older POST /messages (which
 * needs no details back, so does not pay for reading them).
 *
 * With the caller's own id it is the caller's notes to self: the same kind of conversation with one member
 * (the pair's id is derived from `[me, me]`, so each user has exactly one, also under races). The caller's
 * profile needs no existence check: a verified token names an existing user.
 */
export async function openDirect(
  callerId: string,
  otherUserId: string,
  now = new Date(),
  field = 'userId',
): Promise<{ created: boolean; conversation: ConversationRecord; members: MemberRecord[] }> {
  const toSelf = otherUserId === callerId;
  const id = directConversationId(callerId, otherUserId);
  const at = now.toISOString();
  const members = [callerId, ...(toSelf ? [] : [otherUserId])].map((userId) =>
    newMember(id, userId, 'member', at),
  );
  const conversation: ConversationRecord = {
    id,
    type: 'direct',
    name: null,
    createdBy: callerId,
    createdAt: at,
    memberCount: members.length,
    lastMessage: null,
    lastActivityAt: at,
  };
  // Neither of the two blocked the other: checked in the same transaction, and refused whether or not the chat
  // exists already (a block also stamps an existing chat's memberships, data/blocks-store.ts).
  const blocks = toSelf ? [] : [blockKey(otherUserId, callerId), blockKey(callerId, otherUserId)];
  const result = await store.createConversation(
    conversation,
    members,
    toSelf ? [] : [otherUserId],
    members.map((member) => newInboxEntry(member, null)),
    blocks,
  );
  if (!result.created) {
    const blocked = blocks.length ? result.codes.slice(-blocks.length) : [];
    if (blocked.includes('ConditionalCheckFailed')) {
      throw cannotMessage(blocked[1] === 'ConditionalCheckFailed');
    }
    if (!toSelf && result.codes[1] === 'ConditionalCheckFailed') {
      throw new NotFoundError(`No user has the id "${otherUserId}".`, [{ field, message: 'is not a user' }]);
    }
    if (result.codes[0] !== 'ConditionalCheckFailed')
      throw new ConflictError('The conversation could not be created.');
  }
  return { created: result.created, conversation, members };
}

export async function createDirect(callerId: string, otherUserId: string, now = new Date()) {
  const { created, conversation, members } = await openDirect(callerId, otherUserId, now);
  if (!created) return { created, details: await getDetails(callerId, conversation.id) };
  return { created, details: await withProfiles(conversation, members, callerId) };
}

const pairKey = (key: { PK: string; SK: string }) => `${key.PK}\u0000${key.SK}`;

/**
 * Who may be added to a group (issue 8): only existing users the adder shares a direct conversation with
 * (its id derives from the pair, so one key per user answers "do we share one?"), and, in an existing group,
 * nobody who left it and has not agreed to come back. One BatchGetItem answers all three for every user;
 * strongly consistent, so a direct conversation started or a group left a moment ago counts. Errors name
 * positions in the request's own list; users in `skip` (the caller, current members) are not checked.
 */
async function assertAddable(
  callerId: string,
  userIds: string[],
  field: string,
  skip: ReadonlySet<string>,
  conversationId?: string,
) {
  const checked = userIds
    .map((userId, index) => ({ userId, index }))
    .filter(({ userId }) => !skip.has(userId));
  if (checked.length === 0) return;
  const direct = (userId: string) => conversationKey(directConversationId(callerId, userId));
  const found = await store.batchGet(
    [...new Set(checked.map(({ userId }) => userId))].flatMap((userId) => [
      userKey(userId),
      direct(userId),
      // Did they block the caller? A blocked user cannot add the blocker anywhere (the blocker may add them).
      blockKey(userId, callerId),
      ...(conversationId ? [leftMarkerKey(conversationId, userId)] : []),
    ]),
    ['PK', 'SK', 'consentedAt'],
    { consistent: true },
  );
  const items = new Map(found.map((item) => [pairKey(item as { PK: string; SK: string }), item]));
  const refuse = (
    failing: typeof checked,
    message: (userId: string) => string,
    error: (problems: { field: string; message: string }[]) => Error,
  ) => {
    if (failing.length > 0)
      throw error(
        failing.map(({ userId, index }) => ({ field: `${field}.${index}`, message: message(userId) })),
      );
  };
  const unknown = checked.filter(({ userId }) => !items.has(pairKey(userKey(userId))));
  refuse(
    unknown,
    (userId) => `"${userId}" is not a user`,
    (problems) =>
      new ValidationError(`Unknown user ids: ${unknown.map(({ userId }) => userId).join(', ')}.`, problems),
  );
  // Before the contacts rule: the same answer whether or not the two share a direct chat.
  refuse(
    checked.filter(({ userId }) => items.has(pairKey(blockKey(userId, callerId)))),
    () => "you can't message this user",
    (problems) => cannotMessage(false, problems),
  );
  // The refusal names no reason beyond the rule: nothing about the user's other conversations.
  refuse(
    checked.filter(({ userId }) => !items.has(pairKey(direct(userId)))),
    () => 'shares no conversation with you',
    (problems) =>
      new ForbiddenError(
        'You can only add people you share a conversation with: start a direct conversation with them first.',
        problems,
      ),
  );
  if (!conversationId) return;
  refuse(
    checked.filter(({ userId }) => {
      const marker = items.get(pairKey(leftMarkerKey(conversationId, userId)));
      return marker !== undefined && marker.consentedAt === undefined;
    }),
    () => 'left this group and has not agreed to be added again',
    (problems) =>
      new ForbiddenError(
        'Someone who left this group can be added again only after they agree to it ' +
          '(PUT /conversations/{id}/rejoin-consent).',
        problems,
      ),
  );
}

export async function createGroup(callerId: string, name: string, memberIds: string[], now = new Date()) {
  const others = [...new Set(memberIds)].filter((userId) => userId !== callerId);
  if (others.length + 1 > config.maxGroupMembers) {
    throw new ValidationError(`A group holds at most ${config.maxGroupMembers} members.`, [
      { field: 'memberIds', message: `must name at most ${config.maxGroupMembers - 1} other users` },
    ]);
  }
  await assertAddable(callerId, memberIds, 'memberIds', new Set([callerId]));
  const at = now.toISOString();
  const conversation: ConversationRecord = {
    id: ulid(now.getTime()),
    type: 'group',
    name,
    createdBy: callerId,
    createdAt: at,
    memberCount: others.length + 1,
    lastMessage: null,
    lastActivityAt: at,
  };
  const members = [
    newMember(conversation.id, callerId, 'owner', at),
    ...others.map((id) => newMember(conversation.id, id, 'member', at)),
  ];
  const result = await store.createConversation(conversation, members);
  if (!result.created) throw new ConflictError('The conversation could not be created; try again.');
  const [details] = await Promise.all([
    withProfiles(conversation, members, callerId),
    putInboxEntries(members.map((member) => newInboxEntry(member, null))),
  ]);
  return details;
}

export async function getDetails(callerId: string, conversationId: string): Promise<ConversationDetails> {
  const { conversation, members, memberItems } = await store.getConversationWithMembers(conversationId);
  if (!conversation) throw conversationNotFound(conversationId);
  return withProfiles(conversation, members, callerId, memberItems.get(callerId), { presence: true });
}

/** Reads the conversation and the caller's membership; NotFound unless the caller is a member. */
async function requireMembership(callerId: string, conversationId: string) {
  const { conversation, members, changedAt, memberItems } =
    await store.getConversationWithMembers(conversationId);
  const me = members.find((member) => member.userId === callerId);
  if (!conversation || !me) throw conversationNotFound(conversationId);
  return { conversation, members, me, changedAt, mine: memberItems.get(callerId) };
}

function requireGroupModerator(conversation: ConversationRecord, me: MemberRecord, action: string) {
  if (conversation.type !== 'group') {
    throw new ValidationError(`Nobody can ${action} of a direct conversation.`, [
      { field: '(path) id', message: 'is a direct conversation' },
    ]);
  }
  if (!MODERATORS.includes(me.role)) throw new ForbiddenError(`Only owners and admins can ${action}.`);
}

const MEMBERS_CHANGED = 'The members changed meanwhile; reload the conversation and try again.';

/**
 * Commits a change decided on members read a moment ago: a condition that no longer holds (a role or the
 * membership changed since) is a 409 to reload and retry, never a 500.
 */
async function commitMemberChange(
  items: Parameters<typeof store.runTransaction>[0],
  conflict = MEMBERS_CHANGED,
) {
  try {
    await store.runTransaction(items);
  } catch (error) {
    if ((error as Error).name === 'TransactionCanceledException') throw new ConflictError(conflict);
    throw error;
  }
}

export async function rename(callerId: string, conversationId: string, name: string) {
  const { conversation, members, me, mine } = await requireMembership(callerId, conversationId);
  requireGroupModerator(conversation, me, 'change the name');
  const stamp = stampClause({ changedAt: new Date().toISOString() });
  await commitMemberChange([
    {
      Update: {
        TableName: tableName,
        Key: conversationKey(conversationId),
        UpdateExpression: `SET #name = :name, #change = :renamed${stamp.set}`,
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: { '#name': 'name', '#change': LAST_CHANGE },
        ExpressionAttributeValues: {
          ':name': name,
          ':renamed': ConversationChange.renamed,
          ...stamp.values,
        },
      },
    },
    store.memberCondition(conversationId, callerId, MODERATORS),
  ]);
  return withProfiles({ ...conversation, name }, members, callerId, mine);
}

export async function addMembers(
  callerId: string,
  conversationId: string,
  userIds: string[],
  now = new Date(),
) {
  const { conversation, members, me, changedAt, mine } = await requireMembership(callerId, conversationId);
  requireGroupModerator(conversation, me, 'change the members');
  const existing = new Set(members.map((member) => member.userId));
  await assertAddable(callerId, userIds, 'userIds', existing, conversationId);
  const added = [...new Set(userIds)].filter((userId) => !existing.has(userId));
  if (added.length === 0) return withProfiles(conversation, members, callerId, mine);
  const total = conversation.memberCount + added.length;
  if (total > config.maxGroupMembers) {
    throw new ConflictError(
      `The group would have ${total} members; the limit is ${config.maxGroupMembers}.`,
      [
        {
          field: 'userIds',
          message: `at most ${config.maxGroupMembers - conversation.memberCount} more members fit`,
        },
      ],
    );
  }
  const at = now.toISOString();
  // Members join with everything before them read: history is visible, but it is not news to them.
  const newMembers = added.map((userId) => ({
    ...newMember(conversationId, userId, 'member', at),
    ...(conversation.lastMessage ? { lastReadMessageId: conversation.lastMessage.id, lastReadAt: at } : {}),
  }));
  await commitMemberChange(
    [
      store.memberCondition(conversationId, callerId, MODERATORS),
      {
        Update: {
          TableName: tableName,
          Key: conversationKey(conversationId),
          UpdateExpression: 'ADD memberCount :added SET #change = :members',
          // Nobody left (or was removed, or renamed it) since the checks: a user added and gone again in
          // between would have left a marker those checks did not see. One condition on an item already in
          // the transaction, where one check per added user's marker would not fit its 100 items.
          ConditionExpression: `memberCount <= :room AND ${changedAt ? 'changedAt = :seen' : 'attribute_not_exists(changedAt)'}`,
          ExpressionAttributeNames: { '#change': LAST_CHANGE },
          ExpressionAttributeValues: {
            ':added': added.length,
            ':room': config.maxGroupMembers - added.length,
            ':members': ConversationChange.members,
            ...(changedAt ? { ':seen': changedAt } : {}),
          },
        },
      },
      ...newMembers.map((member) => store.putMember(member)),
    ],
    'The members changed while adding; reload the conversation and try again.',
  );
  const [details] = await Promise.all([
    withProfiles({ ...conversation, memberCount: total }, [...members, ...newMembers], callerId, mine),
    putInboxEntries(newMembers.map((member) => newInboxEntry(member, conversation.lastMessage?.id ?? null))),
  ]);
  return details;
}

/**
 * A user who left a group agrees to be added again (by someone they share a conversation with). Only who
 * left the group may: for anyone else, the group is not found. Agreeing twice changes nothing.
 */
export async function consentToRejoin(callerId: string, conversationId: string, now = new Date()) {
  if (!(await store.consentToRejoin(conversationId, callerId, now.toISOString()))) {
    throw new NotFoundError(`No group "${conversationId}" that you left.`);
  }
}

/** The member who becomes owner when the last owner leaves: the longest-standing admin, else member. */
function successorOf(leaver: MemberRecord, members: MemberRecord[]): MemberRecord | undefined {
  const others = members.filter((member) => member.userId !== leaver.userId);
  if (others.some((member) => member.role === 'owner')) return undefined;
  const byJoined = (a: MemberRecord, b: MemberRecord) =>
    a.joinedAt.localeCompare(b.joinedAt) || a.userId.localeCompare(b.userId);
  return others.filter((member) => member.role === 'admin').sort(byJoined)[0] ?? others.sort(byJoined)[0];
}

/**
 * Removes a member, or leaves when the target is the caller. The last owner leaving hands ownership on.
 * `accountDeleted`: a deleted account's sweep (domain/account-deletion.ts) takes the user out of every
 * conversation, direct ones too, and leaves no `LEFT#` marker behind (nobody can add that user again).
 */
export async function removeMember(
  callerId: string,
  conversationId: string,
  targetId: string,
  now = new Date(),
  options: { accountDeleted?: boolean } = {},
) {
  const { conversation, members, me } = await requireMembership(callerId, conversationId);
  const target = members.find((member) => member.userId === targetId);
  const leaving = targetId === callerId;
  if (conversation.type !== 'group' && !(leaving && options.accountDeleted)) {
    throw new ValidationError('Members of a direct conversation cannot leave or be removed.', [
      { field: '(path) id', message: 'is a direct conversation' },
    ]);
  }
  if (!leaving) {
    if (!MODERATORS.includes(me.role)) throw new ForbiddenError('Only owners and admins can remove members.');
    if (!target) throw new NotFoundError(`User "${targetId}" is not a member of this conversation.`);
    if (target.role === 'owner' || (target.role === 'admin' && me.role !== 'owner')) {
      throw new ForbiddenError(
        `A ${me.role} cannot remove an ${target.role === 'owner' ? 'owner' : 'admin'}.`,
      );
    }
  }
  const removed = target ?? me;
  const successor = removed.role === 'owner' ? successorOf(removed, members) : undefined;
  // One time for the removal, the ownership it hands on and the left marker.
  const at = now.toISOString();
  const stamp = stampClause({ changedAt: at });
  await commitMemberChange([
    {
      Delete: {
        TableName: tableName,
        Key: memberKey(conversationId, removed.userId),
        ConditionExpression: 'attribute_exists(PK) AND #role = :role',
        ExpressionAttributeNames: { '#role': 'role' },
        ExpressionAttributeValues: { ':role': removed.role },
      },
    },
    {
      Update: {
        TableName: tableName,
        Key: conversationKey(conversationId),
        UpdateExpression: `ADD memberCount :minusOne SET #change = :removed${stamp.set}`,
        ExpressionAttributeNames: { '#change': LAST_CHANGE },
        ExpressionAttributeValues: {
          ':minusOne': -1,
          ':removed': ConversationChange.removed,
          ...stamp.values,
        },
      },
    },
    // Gone from the inbox with the membership; the stream consumer deletes it again should a late write of
    // the entry (a message fanned out just before) bring it back.
    deleteInboxEntryItem(conversationId, removed.userId),
    // Kept for a while, so that changes made just before the removal still reach the member when the stream
    // consumer reads the members after it (projections/conversation-batch.ts). Not for a deleted account:
    // nothing more is written for it.
    ...(options.accountDeleted ? [] : [store.putDepartedMember(removed, at)]),
    // Leaving (not being removed) refuses re-adds by others until the user agrees (consentToRejoin).
    ...(leaving && options.accountDeleted
      ? []
      : [
          leaving
            ? store.putLeftMarker(conversationId, callerId, at)
            : store.memberCondition(conversationId, callerId, MODERATORS),
        ]),
    ...(successor
      ? [
          {
            Update: {
              TableName: tableName,
              Key: memberKey(conversationId, successor.userId),
              UpdateExpression: `SET #role = :owner, #change = :role${stamp.set}`,
              ConditionExpression: 'attribute_exists(PK)',
              ExpressionAttributeNames: { '#role': 'role', '#change': LAST_CHANGE },
              ExpressionAttributeValues: {
                ':owner': 'owner',
                ':role': MemberChange.role,
                ...stamp.values,
              },
            },
          },
        ]
      : []),
  ]);
  return { newOwnerId: successor?.userId ?? null };
}

export async function changeRole(
  callerId: string,
  conversationId: string,
  targetId: string,
  role: 'admin' | 'member',
) {
  const { conversation, members, me } = await requireMembership(callerId, conversationId);
  requireGroupModerator(conversation, me, 'change the roles');
  const target = members.find((member) => member.userId === targetId);
  if (!target) throw new NotFoundError(`User "${targetId}" is not a member of this conversation.`);
  if (target.role === 'owner')
    throw new ForbiddenError("An owner's role cannot be changed; owners hand over by leaving.");
  // Otherwise an admin could demote another admin and then remove them, which admins may not do.
  if (target.role === 'admin' && me.role !== 'owner')
    throw new ForbiddenError("Only an owner can change an admin's role.");
  const stamp = stampClause({ changedAt: new Date().toISOString() });
  await commitMemberChange([
    {
      Update: {
        TableName: tableName,
        Key: memberKey(conversationId, targetId),
        UpdateExpression: `SET #role = :role, #change = :changed${stamp.set}`,
        // The target's role as read: the rules above were decided on it (an owner's never matches).
        ConditionExpression: 'attribute_exists(PK) AND #role = :current',
        ExpressionAttributeNames: { '#role': 'role', '#change': LAST_CHANGE },
        ExpressionAttributeValues: {
          ':role': role,
          ':current': target.role,
          ':changed': MemberChange.role,
          ...stamp.values,
        },
      },
    },
    store.memberCondition(conversationId, callerId, target.role === 'admin' ? ['owner'] : MODERATORS),
  ]);
  return { ...target, role };
}

/**
 * The caller's conversations, most recent activity first, with previews, unread counts and small rosters.
 * Bounded by the page size whatever happened in the conversations: the unread counts are the counters the
 * stream consumer keeps on the inbox entries (projections/inbox.ts), never a count over messages here. An
 * entry whose membership is gone (a late write after a removal) is skipped.
 */
export async function listForUser(callerId: string, limit: number, cursor?: string) {
  const start = cursor ? inboxCursor.decode(cursor, callerId) : undefined;
  const page = await queryInbox(
    callerId,
    limit,
    start
      ? {
          ...inboxKey(start.conversationId, callerId),
          GSI1PK: `INBOX#${callerId}`,
          GSI1SK: `ACT#${start.activityId}`,
        }
      : undefined,
  );
  const ids = page.entries.map((entry) => entry.conversationId);
  const [items, rosters] = await Promise.all([
    ids.length
      ? store.batchGet([...ids.map(conversationKey), ...ids.map((id) => memberKey(id, callerId))])
      : Promise.resolve([]),
    Promise.all(ids.map((id) => store.queryMembers(id, SMALL_CONVERSATION + 1))),
  ]);
  const conversations = new Map(
    items.filter((item) => item.SK === 'META').map((item) => [item.id as string, store.toConversation(item)]),
  );
  const memberships = new Map(
    items
      .filter((item) => item.SK !== 'META')
      .map((item) => [item.conversationId as string, { ...store.toMember(item), ...muteOf(item) }]),
  );
  const result = page.entries.flatMap((entry, index) => {
    const conversation = conversations.get(entry.conversationId);
    const membership = memberships.get(entry.conversationId);
    if (!conversation || !membership) return [];
    const roster = rosters[index];
    return [
      {
        ...conversation,
        myRole: membership.role,
        muted: membership.muted,
        ...(membership.mutedUntil ? { mutedUntil: membership.mutedUntil } : {}),
        unreadCount: Math.min(entry.unreadCount, UNREAD_SHOWN_UP_TO),
        unreadMentionCount: Math.min(entry.unreadMentionCount, UNREAD_SHOWN_UP_TO),
        ...(roster?.complete && roster.members.length <= SMALL_CONVERSATION
          ? { members: roster.members }
          : {}),
      },
    ];
  });
  const last = page.entries.at(-1);
  const nextCursor =
    page.lastKey && last ? inboxCursor.encode(callerId, last.activityId, last.conversationId) : null;
  return { items: result, nextCursor };
}

/** Unread counts above this are shown as this (clients show "99+"). */
export const UNREAD_SHOWN_UP_TO = 100;
