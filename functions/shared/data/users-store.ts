/** Data access for users and username claims (with the password hash). Knows DynamoDB; knows nothing of HTTP. */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '../errors';
import {
  cancellationCodes,
  dynamo,
  homeDynamo,
  isConditionalCheckFailed,
  tableName,
  transactWrite,
} from './client';

/**
 * Username claims (and refresh tokens, sessions-store.ts) are decided in the home region (docs/global.md, "Pinned to the home
 * region"): a claim must be unique and a refresh token single-use, which replicas that accept concurrent
 * writes (last writer wins) cannot guarantee. With one region this is the usual client.
 */
const inHomeRegion = (input: Parameters<typeof transactWrite>[0]) =>
  transactWrite(input, undefined, homeDynamo);

import { config } from '../config';
import { PRESENCE_SET_IN, SINGLE_REGION, userKey, usernameIndexKey, usernameKey } from './keys';

export interface UserRecord {
  id: string;
  username: string;
  displayName: string;
  location: string | null;
  createdAt: string;
  updatedAt: string;
  /** The S3 key of the profile picture (served publicly through the CDN), if any. */
  avatarKey: string | null;
  /** False: others see the user offline, and no `presence.changed` goes out (stored only when false). */
  showPresence: boolean;
}

interface UsernameClaim {
  userId: string;
  passwordHash: string;
  /** Set while an administrator has disabled the account (data/admin-store.ts): login refuses it. */
  disabledAt?: string;
}

const PROFILE_ATTRIBUTES = [
  'id',
  'username',
  'displayName',
  'location',
  'createdAt',
  'updatedAt',
  'avatarKey',
  'showPresence',
] as const;

function toUserRecord(item: Record<string, unknown>): UserRecord {
  return {
    id: item.id as string,
    username: item.username as string,
    displayName: item.displayName as string,
    location: (item.location as string | undefined) ?? null,
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
    avatarKey: (item.avatarKey as string | undefined) ?? null,
    showPresence: item.showPresence !== false,
  };
}

function withoutDefaultPresence(user: UserRecord) {
  const { showPresence, ...rest } = user;
  return showPresence ? rest : { ...rest, showPresence };
}

/**
 * Creates the profile and claims the username in one transaction: if the name (in any case) is taken, the
 * whole write is cancelled and nothing is stored.
 */
export async function createUser(user: UserRecord, passwordHash: string): Promise<void> {
  try {
    await inHomeRegion({
      TransactItems: [
        {
          Put: {
            TableName: tableName,
            // showPresence is stored only when false (the default needs no attribute).
            Item: {
              ...userKey(user.id),
              ...usernameIndexKey(user.username),
              type: 'User',
              ...withoutDefaultPresence(user),
            },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: { ...usernameKey(user.username), type: 'UsernameClaim', userId: user.id, passwordHash },
            // A deleted account's name is free again once its cooling period is over (TTL may lag for days).
            ConditionExpression: 'attribute_not_exists(PK) OR freeAt < :now',
            ExpressionAttributeValues: { ':now': Math.floor(Date.now() / 1000) },
          },
        },
      ],
    });
  } catch (error) {
    const codes = cancellationCodes(error);
    if (codes?.[1] === 'ConditionalCheckFailed') {
      throw new ConflictError(`The username "${user.username}" is already taken.`, [
        { field: 'username', message: 'is already taken' },
      ]);
    }
    throw error;
  }
}

export async function getUser(userId: string): Promise<UserRecord | undefined> {
  const { Item } = await dynamo.send(
    new GetCommand({
      TableName: tableName,
      Key: userKey(userId),
      ProjectionExpression: PROFILE_ATTRIBUTES.map((_, i) => `#a${i}`).join(', '),
      ExpressionAttributeNames: Object.fromEntries(PROFILE_ATTRIBUTES.map((name, i) => [`#a${i}`, name])),
    }),
  );
  return Item ? toUserRecord(Item) : undefined;
}

export async function getUsernameClaim(username: string): Promise<UsernameClaim | undefined> {
  const { Item } = await homeDynamo.send(
    new GetCommand({ TableName: tableName, Key: usernameKey(username), ConsistentRead: true }),
  );
  // A deleted account's claim (a tombstone holding the name through its cooling period) has no credentials.
  if (!Item || typeof Item.passwordHash !== 'string') return undefined;
  return {
    userId: Item.userId as string,
    passwordHash: Item.passwordHash,
    ...(typeof Item.disabledAt === 'string' ? { disabledAt: Item.disabledAt } : {}),
  };
}

export async function updateUser(
  userId: string,
  changes: {
    displayName?: string;
    location?: string | null;
    avatarKey?: string | null;
    showPresence?: boolean;
  },
  updatedAt: string,
): Promise<UserRecord> {
  const names: Record<string, string> = { '#updatedAt': 'updatedAt' };
  const values: Record<string, unknown> = { ':updatedAt': updatedAt };
  const sets = ['#updatedAt = :updatedAt'];
  const removes: string[] = [];
  // Whether this write sets the presence setting, for the stream (keys.ts, PRESENCE_SET_IN).
  names['#presenceSetIn'] = PRESENCE_SET_IN;
  if (changes.showPresence === undefined) {
    removes.push('#presenceSetIn');
  } else {
    values[':presenceSetIn'] = config.region ?? SINGLE_REGION;
    sets.push('#presenceSetIn = :presenceSetIn');
  }
  // undefined leaves a field alone; null removes it (the profile then shows null).
  for (const [field, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    names[`#${field}`] = field;
    if (value === null) {
      removes.push(`#${field}`);
    } else {
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
  }
  try {
    const { Attributes } = await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: userKey(userId),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toUserRecord(Attributes ?? {});
  } catch (error) {
    if (isConditionalCheckFailed(error)) throw new NotFoundError('The user no longer exists.');
    throw error;
  }
}

/**
 * Replaces the password hash on the username claim, only if it is still `oldHash` (so a concurrent change is
 * not overwritten) and still the user's. False when either no longer holds.
 */
export async function replacePasswordHash(
  username: string,
  userId: string,
  oldHash: string,
  newHash: string,
): Promise<boolean> {
  try {
    await homeDynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: usernameKey(username),
        UpdateExpression: 'SET passwordHash = :new',
        ConditionExpression: 'userId = :userId AND passwordHash = :old',
        ExpressionAttributeValues: { ':new': newHash, ':old': oldHash, ':userId': userId },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}
