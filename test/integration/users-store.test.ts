/**
 * The users store and the sign-up handler against a real (local) DynamoDB table, with single SDK calls
 * replaced by failures the real service produces under load.
 */
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResultV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { handler as signUpHandler } from '../../functions/http/sign-up';
import { hashPassword, verifyPassword } from '../../functions/shared/auth/passwords';
import { dynamo, tableName } from '../../functions/shared/data/client';
import { userKey, usernameKey } from '../../functions/shared/data/keys';
import {
  createUser,
  getUser,
  getUsernameClaim,
  type UserRecord,
} from '../../functions/shared/data/users-store';
import { ConflictError } from '../../functions/shared/errors';
import { uniqueUsername } from '../support/api';
import { httpEvent, lambdaContext } from '../support/events';

const throttlingException = () =>
  Object.assign(new Error('x'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });

function userRecord(id: string, username: string): UserRecord {
  const now = new Date().toISOString();
  return {
    id,
    username,
    displayName: username,
    location: null,
    createdAt: now,
    updatedAt: now,
    avatarKey: null,
    showPresence: true,
  };
}

/** The structured result of a handler call (API Gateway payload 2.0 also allows a bare string). */
function structured(result: APIGatewayProxyResultV2): APIGatewayProxyStructuredResultV2 {
  if (typeof result === 'string') throw new Error('expected a structured result');
  return result;
}

function signUpEvent(username: string) {
  return httpEvent({ routeKey: 'POST /users', body: { username, password: 'a long enough password' } });
}

/** Every item in this file's table whose partition key mentions one of the given ids or usernames. */
async function itemsMentioning(...needles: string[]) {
  const { Items = [] } = await dynamo.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
  return Items.filter((item) => needles.some((needle) => String(item.PK).includes(needle)));
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('sign-up handler under DynamoDB failures', () => {
  it('answers a throttled write with 503 problem+json and Retry-After', async () => {
    const username = uniqueUsername('throttled');
    vi.spyOn(dynamo, 'send').mockRejectedValueOnce(throttlingException());

    const result = structured(await signUpHandler(signUpEvent(username), lambdaContext));

    expect(result.statusCode).toBe(503);
    expect(result.headers?.['retry-after']).toMatch(/^\d+$/);
    expect(result.headers?.['content-type']).toBe('application/problem+json');
    expect(JSON.parse(String(result.body))).toMatchObject({
      type: 'urn:chat-backend:problem:service-unavailable',
      status: 503,
    });
  });

  it('leaves nothing behind after a throttled sign-up, so the same username can sign up next', async () => {
    const username = uniqueUsername('retry');
    vi.spyOn(dynamo, 'send').mockRejectedValueOnce(throttlingException());
    await signUpHandler(signUpEvent(username), lambdaContext);

    const retried = await signUpHandler(signUpEvent(username), lambdaContext);

    expect(retried.statusCode).toBe(201);
  });

  it('retries a transaction cancelled only by a concurrent transaction, and then succeeds', async () => {
    const username = uniqueUsername('conflict');
    const conflict = Object.assign(new Error('Transaction cancelled'), {
      name: 'TransactionCanceledException',
      $metadata: { httpStatusCode: 400 },
      CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
    });
    const send = vi.spyOn(dynamo, 'send').mockRejectedValueOnce(conflict);

    const result = await signUpHandler(signUpEvent(username), lambdaContext);

    expect(result.statusCode).toBe(201);
    expect(send).toHaveBeenCalledTimes(2);
    await expect(getUsernameClaim(username)).resolves.toBeDefined();
  });
});

describe('users store', () => {
  it('stores the profile and the lower-cased username claim holding the password hash', async () => {
    const username = uniqueUsername('Stored');
    const user = userRecord(`01STORED${Date.now()}`, username);
    const passwordHash = await hashPassword('a long enough password');

    await createUser(user, passwordHash);

    await expect(getUser(user.id)).resolves.toEqual(user);
    const claim = await getUsernameClaim(username.toUpperCase());
    expect(claim?.userId).toBe(user.id);
    await expect(verifyPassword('a long enough password', claim?.passwordHash ?? '')).resolves.toBe(true);
    const { Item: profile } = await dynamo.send(
      new GetCommand({ TableName: tableName, Key: userKey(user.id) }),
    );
    expect(profile).not.toHaveProperty('passwordHash');
  });

  it('refuses a second user whose username differs only in case, and writes nothing of it', async () => {
    const username = uniqueUsername('taken');
    const first = userRecord(`01FIRST${Date.now()}`, username.toLowerCase());
    const second = userRecord(`01SECOND${Date.now()}`, username.toUpperCase());
    await createUser(first, await hashPassword('first password'));

    const attempt = createUser(second, await hashPassword('second password'));

    await expect(attempt).rejects.toBeInstanceOf(ConflictError);
    await expect(attempt).rejects.toMatchObject({
      errors: [{ field: 'username', message: 'is already taken' }],
    });
    const items = await itemsMentioning(first.id, second.id, username.toLowerCase());
    expect(items.map((item) => `${item.PK}|${item.SK}`).sort()).toEqual(
      [`${userKey(first.id).PK}|PROFILE`, `${usernameKey(username).PK}|USERNAME`].sort(),
    );
    expect(items.find((item) => item.SK === 'USERNAME')?.userId).toBe(first.id);
    const { Item: secondProfile } = await dynamo.send(
      new GetCommand({ TableName: tableName, Key: userKey(second.id), ConsistentRead: true }),
    );
    expect(secondProfile).toBeUndefined();
  });

  it('keeps the first password when a second sign-up for the same username is refused', async () => {
    const username = uniqueUsername('keeps');
    await createUser(userRecord(`01KEEP${Date.now()}`, username), await hashPassword('first password'));

    await createUser(
      userRecord(`01OTHER${Date.now()}`, username),
      await hashPassword('second password'),
    ).catch(() => undefined);

    const claim = await getUsernameClaim(username);
    await expect(verifyPassword('first password', claim?.passwordHash ?? '')).resolves.toBe(true);
    await expect(verifyPassword('second password', claim?.passwordHash ?? '')).resolves.toBe(false);
  });
});
