/**
 * Data access for the administration of accounts: the application role (`role: 'admin'` on the profile item),
 * the disabled state (`disabledAt` on the profile and on the username claim, which login reads first), and
 * the search by username prefix (the profiles' GSI1 entries, keys.ts `usernameIndexKey`). Knows DynamoDB;
 * knows nothing of HTTP.
 */
import { GetCommand, QueryCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { cancellationCodes, dynamo, homeDynamo, tableName, transactWrite } from './client';
import { USERNAMES_PARTITION, userKey, usernameIndexKey, usernameKey } from './keys';
import type { UserRecord } from './users-store';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export type AppRole = 'admin';

/** A profile as administrators see it: with the role and the disabled state. */
export interface AccountRecord extends UserRecord {
  role: AppRole | null;
  disabledAt: string | null;
  disabledBy: string | null;
}

export function toAccountRecord(item: Record<string, unknown>): AccountRecord {
  return {
    id: item.id as string,
    username: item.username as string,
    displayName: item.displayName as string,
    location: (item.location as string | undefined) ?? null,
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
    avatarKey: (item.avatarKey as string | undefined) ?? null,
    showPresence: item.showPresence !== false,
    role: item.role === 'admin' ? 'admin' : null,
    disabledAt: (item.disabledAt as string | undefined) ?? null,
    disabledBy: (item.disabledBy as string | undefined) ?? null,
  };
}

/**
 * The account, read strongly consistently from the home region (where role and disabled-state writes go): an
 * admin route checks the caller's role with it on every call, so a revoked role or a disabled account counts
 * at once.
 */
export async function getAccount(userId: string): Promise<AccountRecord | undefined> {
  const { Item } = await homeDynamo.send(
    new GetCommand({ TableName: tableName, Key: userKey(userId), ConsistentRead: true }),
  );
  return Item ? toAccountRecord(Item) : undefined;
}

/** The user a username (any case) belongs to, from its claim: one strongly consistent GetItem. */
export async function userIdOfUsername(username: string): Promise<string | undefined> {
  const { Item } = await homeDynamo.send(
    new GetCommand({
      TableName: tableName,
      Key: usernameKey(username),
      ConsistentRead: true,
      ProjectionExpression: 'userId',
    }),
  );
  return Item?.userId as string | undefined;
}

/** Sets or removes the role on the profile: the Update to join a transaction (with its audit record). */
export function roleItem(userId: string, role: AppRole | null): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: userKey(userId),
      UpdateExpression: role ? 'SET #role = :role' : 'REMOVE #role',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeNames: { '#role': 'role' },
      ...(role ? { ExpressionAttributeValues: { ':role': role } } : {}),
    },
  };
}

/**
 * Marks the account disabled on its profile and on its username claim (login reads the claim first, refresh
 * checks the profile), or enabled again. Both Updates, to join one transaction with the audit record.
 */
export function disabledStateItems(
  account: Pick<AccountRecord, 'id' | 'username'>,
  disabled: { at: string; by: string } | null,
): TransactItem[] {
  const profile: TransactItem = {
    Update: {
      TableName: tableName,
      Key: userKey(account.id),
      UpdateExpression: disabled ? 'SET disabledAt = :at, disabledBy = :by' : 'REMOVE disabledAt, disabledBy',
      ConditionExpression: 'attribute_exists(PK)',
      ...(disabled ? { ExpressionAttributeValues: { ':at': disabled.at, ':by': disabled.by } } : {}),
    },
  };
  const claim: TransactItem = {
    Update: {
      TableName: tableName,
      Key: usernameKey(account.username),
      UpdateExpression: disabled ? 'SET disabledAt = :at' : 'REMOVE disabledAt',
      ConditionExpression: 'userId = :id',
      ExpressionAttributeValues: { ':id': account.id, ...(disabled ? { ':at': disabled.at } : {}) },
    },
  };
  return [profile, claim];
}

/** Why a transaction of administrative writes did not happen: one of its conditions no longer held. */
export class StaleStateError extends Error {
  constructor(readonly codes: readonly string[]) {
    super('a condition of the administrative transaction failed');
    this.name = 'StaleStateError';
  }
}

/**
 * Writes an action and its audit record in one transaction; `home` in the home region, where username claims
 * and the role are decided (docs/global.md). A failed condition is a StaleStateError with each item's reason.
 */
export async function writeTogether(items: TransactItem[], where: { home: boolean }): Promise<void> {
  try {
    await transactWrite({ TransactItems: items }, undefined, where.home ? homeDynamo : dynamo);
  } catch (error) {
    const codes = cancellationCodes(error);
    if (codes?.includes('ConditionalCheckFailed')) throw new StaleStateError(codes);
    throw error;
  }
}

/**
 * Profiles whose username starts with `prefix` (lower-cased), in username order, after `after` when given:
 * one Query of the USERNAMES partition of GSI1 (eventually consistent, like every index read).
 */
export async function searchByUsername(
  prefix: string,
  limit: number,
  after?: { username: string; userId: string },
): Promise<{ items: AccountRecord[]; more: boolean }> {
  const { Items = [], LastEvaluatedKey } = await dynamo.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: 'GSI1',
      // An empty prefix lists everyone (DynamoDB refuses an empty begins_with).
      KeyConditionExpression: prefix ? 'GSI1PK = :pk AND begins_with(GSI1SK, :prefix)' : 'GSI1PK = :pk',
      ExpressionAttributeValues: {
        ':pk': USERNAMES_PARTITION,
        ...(prefix ? { ':prefix': prefix.toLowerCase() } : {}),
      },
      ...(after
        ? { ExclusiveStartKey: { ...userKey(after.userId), ...usernameIndexKey(after.username) } }
        : {}),
      Limit: limit,
    }),
  );
  return { items: Items.map(toAccountRecord), more: LastEvaluatedKey !== undefined };
}
