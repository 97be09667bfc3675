/** Data access for conversations and memberships. Knows DynamoDB; knows nothing of HTTP. */
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { MessagePreview } from '../schemas/messages';
import { ConversationChange, LAST_CHANGE, MemberChange } from './changes';
import {
  cancellationCodes,
  dynamo,
  homeDynamo,
  isConditionalCheckFailed,
  tableName,
  transactWrite,
} from './client';
import { type InboxRecord, inboxItem } from './inbox-store';
import {
  conversationKey,
  DEPARTED_PREFIX,
  departedMemberKey,
  leftMarkerKey,
  MEMBER_PREFIX,
  memberKey,
  userKey,
} from './keys';
import { originStamp } from './origin';

export type Role = 'owner' | 'admin' | 'member';
export type ConversationType = 'direct' | 'group';

export interface ConversationRecord {
  id: string;
  type: ConversationType;
  name: string | null;
  createdBy: string;
  createdAt: string;
  memberCount: number;
  lastMessage: MessagePreview | null;
  lastActivityAt: string;
}

export interface MemberRecord {
  conversationId: string;
  userId: string;
  role: Role;
  joinedAt: string;
  lastReadMessageId: string | null;
  lastReadAt: string | null;
}

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export function toConversation(item: Record<string, unknown>): ConversationRecord {
  return {
    id: item.id as string,
    type: item.conversationType as ConversationType,
    name: (item.name as string | undefined) ?? null,
    createdBy: item.createdBy as string,
    createdAt: item.createdAt as string,
    memberCount: item.memberCount as number,
    lastMessage: (item.lastMessage as MessagePreview | undefined) ?? null,
    lastActivityAt: item.lastActivityAt as string,
  };
}

export function toMember(item: Record<string, unknown>): MemberRecord {
  return {
    conversationId: item.conversationId as string,
    userId: item.userId as string,
    role: item.role as Role,
    joinedAt: item.joinedAt as string,
    lastReadMessageId: (item.lastReadMessageId as string | undefined) ?? null,
    lastReadAt: (item.lastReadAt as string | undefined) ?? null,
  };
}

export const conversationItem = (conversation: ConversationRecord) => ({
  ...conversationKey(conversation.id),
  type: 'Conversation',
  id: conversation.id,
  conversationType: conversation.type,
  ...(conversation.name === null ? {} : { name: conversation.name }),
  createdBy: conversation.createdBy,
  createdAt: conversation.createdAt,
  memberCount: conversation.memberCount,
  lastActivityAt: conversation.lastActivityAt,
  [LAST_CHANGE]: ConversationChange.created,
  ...originStamp(),
});

/** A membership's own attributes (what toMember reads back), on a membership and on a departed member. */
const memberAttributes = (member: MemberRecord) => ({
  conversationId: member.conversationId,
  userId: member.userId,
  role: member.role,
  joinedAt: member.joinedAt,
  ...(member.lastReadMessageId
    ? { lastReadMessageId: member.lastReadMessageId, lastReadAt: member.lastReadAt }
    : {}),
});

export const memberItem = (member: MemberRecord) => ({
  ...memberKey(member.conversationId, member.userId),
  type: 'Member',
  [LAST_CHANGE]: MemberChange.joined,
  ...originStamp(),
  ...memberAttributes(member),
});

export const putMember = (member: MemberRecord): TransactItem => ({
  Put: {
    TableName: tableName,
    Item: memberItem(member),
    ConditionExpression: 'attribute_not_exists(PK)',
  },
});

/** Guards a write on the caller still being a member, with one of `roles` when given. */
export function memberCondition(conversationId: string, userId: string, roles?: Role[]): TransactItem {
  const roleNames = roles?.map((_, i) => `:role${i}`) ?? [];
  return {
    ConditionCheck: {
      TableName: tableName,
      Key: memberKey(conversationId, userId),
      ConditionExpression: roles
        ? `attribute_exists(PK) AND #role IN (${roleNames.join(', ')})`
        : 'attribute_exists(PK)',
      ...(roles
        ? {
            ExpressionAttributeNames: { '#role': 'role' },
            ExpressionAttributeValues: Object.fromEntries(roles.map((role, i) => [`:role${i}`, role])),
          }
        : {}),
    },
  };
}

/** How long a departed member is kept: longer than a stream record can wait for the consumer (24 hours). */
const DEPARTED_KEPT_SECONDS = 2 * 24 * 3600;

/** A member who left or was removed, as they were (keys.ts, departedMemberKey); in the removal's transaction. */
export const putDepartedMember = (member: MemberRecord, leftAt: string): TransactItem => ({
  Put: {
    TableName: tableName,
    Item: {
      ...departedMemberKey(member.conversationId, member.userId, leftAt),
      type: 'DepartedMember',
      ...memberAttributes(member),
      leftAt,
      expiresAt: Math.floor(Date.parse(leftAt) / 1000) + DEPARTED_KEPT_SECONDS,
    },
  },
});

/** A member who is gone, and since when. */
export interface DepartedMember {
  member: MemberRecord;
  leftAt: string;
}

/** Written in the transaction of a member leaving a group (not of one being removed). */
export const putLeftMarker = (conversationId: string, userId: string, leftAt: string): TransactItem => ({
  Put: {
    TableName: tableName,
    Item: { ...leftMarkerKey(conversationId, userId), type: 'LeftMember', conversationId, userId, leftAt },
  },
});

/** Records that a user who left agrees to be added again; false when they have not left this conversation. */
export async function consentToRejoin(conversationId: string, userId: string, at: string): Promise<boolean> {
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: leftMarkerKey(conversationId, userId),
        UpdateExpression: 'SET consentedAt = if_not_exists(consentedAt, :at)',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':at': at },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

/**
 * Writes a new conversation and its first members in one transaction, conditional on the conversation not
 * existing yet (for direct chats the id is derived from the pair, so a second create finds it) and on every
 * `mustExist` user existing and every `mustNotExist` key absent; with `inboxEntries` (a direct chat's two: the transaction holds 100 items at most,
 * so a group's go after it), the members' inbox entries too. Returns the reason codes when it was cancelled.
 */
export async function createConversation(
  conversation: ConversationRecord,
  members: MemberRecord[],
  mustExistUserIds: string[] = [],
  inboxEntries: readonly InboxRecord[] = [],
  mustNotExist: readonly { PK: string; SK: string }[] = [],
): Promise<{ created: true } | { created: false; codes: string[] }> {
  const items: TransactItem[] = [
    {
      Put: {
        TableName: tableName,
        Item: conversationItem(conversation),
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
    ...mustExistUserIds.map(
      (userId): TransactItem => ({
        ConditionCheck: {
          TableName: tableName,
          Key: userKey(userId),
          ConditionExpression: 'attribute_exists(PK)',
        },
      }),
    ),
    ...members.map((member) => putMember(member)),
    ...inboxEntries.map((entry): TransactItem => ({ Put: { TableName: tableName, Item: inboxItem(entry) } })),
    // Last, so their reasons are the last codes (e.g. blocks between a direct chat's two users).
    ...mustNotExist.map(
      (key): TransactItem => ({
        ConditionCheck: { TableName: tableName, Key: key, ConditionExpression: 'attribute_not_exists(PK)' },
      }),
    ),
  ];
  try {
    await transactWrite({ TransactItems: items });
    return { created: true };
  } catch (error) {
    const codes = cancellationCodes(error);
    if (codes) return { created: false, codes };
    throw error;
  }
}

/**
 * The conversation and all its members in one Query (`MEMBER#…` and `META` sort next to each other), with the
 * conversation's `changedAt` (its last rename or removal of a member), for writes that must not commit over one.
 */
export async function getConversationWithMembers(
  conversationId: string,
  options: { consistent?: boolean; withDeparted?: boolean } = {},
): Promise<{
  conversation: ConversationRecord | undefined;
  members: MemberRecord[];
  changedAt: string | undefined;
  /** The membership items as stored: what is private to each member (a mute, a block) and no MemberRecord shows. */
  memberItems: Map<string, Record<string, unknown>>;
  /** With `withDeparted`: the members gone in the last two days (keys.ts, departedMemberKey), in the same Query. */
  departed: DepartedMember[];
}> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': conversationKey(conversationId).PK,
          ':from': options.withDeparted ? DEPARTED_PREFIX : MEMBER_PREFIX,
          ':to': 'META',
        },
        ...(options.consistent ? { ConsistentRead: true } : {}),
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  const meta = items.find((item) => item.SK === 'META');
  const memberItems = items.filter((item) => String(item.SK).startsWith(MEMBER_PREFIX));
  return {
    conversation: meta ? toConversation(meta) : undefined,
    members: memberItems.map(toMember),
    changedAt: meta?.changedAt as string | undefined,
    memberItems: new Map(memberItems.map((item) => [item.userId as string, item])),
    departed: items
      .filter((item) => String(item.SK).startsWith(DEPARTED_PREFIX))
      .map((item) => ({ member: toMember(item), leftAt: item.leftAt as string })),
  };
}

export async function getMember(conversationId: string, userId: string): Promise<MemberRecord | undefined> {
  const { Item } = await dynamo.send(
    new GetCommand({ TableName: tableName, Key: memberKey(conversationId, userId) }),
  );
  return Item ? toMember(Item) : undefined;
}

export async function getConversation(conversationId: string): Promise<ConversationRecord | undefined> {
  const { Item } = await dynamo.send(
    new GetCommand({ TableName: tableName, Key: conversationKey(conversationId) }),
  );
  return Item ? toConversation(Item) : undefined;
}

/**
 * BatchGetItem in chunks of 100, retrying unprocessed keys. Returns items in no particular order.
 * `consistent` reads strongly consistently (twice the cost: 1 RCU per item up to 4 KB).
 */
export async function batchGet(
  keys: Record<string, string>[],
  projection?: string[],
  options: { consistent?: boolean } = {},
): Promise<Record<string, unknown>[]> {
  const results: Record<string, unknown>[] = [];
  // BatchGetItem rejects a request that names the same key twice.
  const unique = [...new Map(keys.map((key) => [`${key.PK}\u0000${key.SK}`, key])).values()];
  const chunks: Record<string, string>[][] = [];
  for (let i = 0; i < unique.length; i += 100) chunks.push(unique.slice(i, i + 100));
  await Promise.all(
    chunks.map(async (chunk) => {
      let pending: Record<string, unknown>[] | undefined = chunk;
      for (let attempt = 0; pending?.length && attempt < 5; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
        const response: BatchGetCommandOutput = await dynamo.send(
          new BatchGetCommand({
            RequestItems: {
              [tableName]: {
                Keys: pending,
                ...(options.consistent ? { ConsistentRead: true } : {}),
                ...(projection
                  ? {
                      ProjectionExpression: projection.map((_, i) => `#p${i}`).join(', '),
                      ExpressionAttributeNames: Object.fromEntries(
                        projection.map((name, i) => [`#p${i}`, name]),
                      ),
                    }
                  : {}),
              },
            },
          }),
        );
        results.push(...(response.Responses?.[tableName] ?? []));
        pending = response.UnprocessedKeys?.[tableName]?.Keys;
      }
      if (pending?.length)
        throw Object.assign(new Error('BatchGetItem left keys unprocessed'), { name: 'ThrottlingException' });
    }),
  );
  return results;
}

export async function getConversations(conversationIds: string[]): Promise<Map<string, ConversationRecord>> {
  const items = await batchGet(conversationIds.map(conversationKey));
  return new Map(items.map((item) => [item.id as string, toConversation(item)]));
}

/** Up to `limit` members (with `complete` false when there are more). */
export async function queryMembers(conversationId: string, limit?: number) {
  const input: QueryCommandInput = {
    TableName: tableName,
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :member)',
    ExpressionAttributeValues: { ':pk': conversationKey(conversationId).PK, ':member': MEMBER_PREFIX },
    ProjectionExpression: 'userId, #role',
    ExpressionAttributeNames: { '#role': 'role' },
    ...(limit ? { Limit: limit } : {}),
  };
  const members: { userId: string; role: Role }[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? [])
      members.push({ userId: item.userId as string, role: item.role as Role });
    startKey = page.LastEvaluatedKey;
    if (limit && startKey) return { members, complete: false };
  } while (startKey);
  return { members, complete: true };
}

/**
 * A membership change (add, remove, leave, role, rename): its conditions span items (`memberCount`, the last
 * owner, the caller's role), so it is decided in one place, the home region's replica (docs/global.md,
 * "Concurrent writes in two regions"). The local replica outside multi-region.
 */
export async function runTransaction(items: TransactItem[]): Promise<void> {
  await transactWrite({ TransactItems: items }, undefined, homeDynamo);
}
