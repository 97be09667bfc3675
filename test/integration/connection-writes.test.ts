/**
 * What opening and closing a WebSocket connection costs on the request path: at most one table write each
 * (issue 12's presence budget). $connect puts the connection's owner item, $disconnect deletes it; registering
 * the connection on the feed head and presence follow from the item's stream record, off the request path.
 * Counted with the bench's capacity meter on the real handlers (no stream consumer runs in this project).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { installCapacityMeter, measure } from '../../bench/capacity';
import { uniqueUsername } from '../support/api';
import { httpEvent, lambdaContext, webSocketEvent } from '../support/events';

type Modules = {
  client: typeof import('../../functions/shared/data/client');
  keys: typeof import('../../functions/shared/data/keys');
  signUp: typeof import('../../functions/http/sign-up');
  login: typeof import('../../functions/http/login');
  connect: typeof import('../../functions/ws/connect');
  disconnect: typeof import('../../functions/ws/disconnect');
};
let modules: Modules;

const WRITES = new Set([
  'Put',
  'PutItem',
  'Update',
  'UpdateItem',
  'Delete',
  'DeleteItem',
  'BatchWrite',
  'BatchWriteItem',
  'TransactWrite',
  'TransactWriteItems',
]);
const writes: string[] = [];

/** The write requests `operation` sends. */
async function writesOf<T>(
  operation: () => Promise<T>,
): Promise<{ result: T; writes: string[]; cost: Awaited<ReturnType<typeof measure>>['cost'] }> {
  writes.length = 0;
  const { result, cost } = await measure(operation);
  return { result, cost, writes: [...writes] };
}

beforeAll(async () => {
  vi.resetModules();
  const [client, keys, signUp, login, connect, disconnect] = await Promise.all([
    import('../../functions/shared/data/client'),
    import('../../functions/shared/data/keys'),
    import('../../functions/http/sign-up'),
    import('../../functions/http/login'),
    import('../../functions/ws/connect'),
    import('../../functions/ws/disconnect'),
  ]);
  installCapacityMeter(client.dynamo);
  // Counts write requests by their command (DynamoDB Local reports no capacity for a DeleteItem).
  client.dynamo.middlewareStack.add(
    (next, context) => async (args) => {
      if (WRITES.has(String(context.commandName).replace(/Command$/, '')))
        writes.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'countWrites' },
  );
  modules = { client, keys, signUp, login, connect, disconnect };
});

async function signedIn(): Promise<{ userId: string; token: string }> {
  const body = { username: uniqueUsername('writes'), password: 'a long enough password' };
  const created = await modules.signUp.handler(httpEvent({ routeKey: 'POST /users', body }), lambdaContext);
  const loggedIn = await modules.login.handler(httpEvent({ routeKey: 'POST /login', body }), lambdaContext);
  expect([created.statusCode, loggedIn.statusCode]).toEqual([201, 200]);
  return { userId: JSON.parse(created.body ?? '{}').id, token: JSON.parse(loggedIn.body ?? '{}').token };
}

const feedHead = async (userId: string) =>
  (
    await modules.client.dynamo.send(
      new GetCommand({
        TableName: modules.client.tableName,
        Key: modules.keys.feedHeadKey(userId),
        ConsistentRead: true,
      }),
    )
  ).Item;

describe('the request path of a WebSocket connection', () => {
  it('writes once to connect (the owner item, after reading the session) and once to disconnect', async () => {
    const { userId, token } = await signedIn();
    const connectionId = `${ulid()}=`;

    const opened = await writesOf(() =>
      modules.connect.handler(
        webSocketEvent('$connect', connectionId, { queryStringParameters: { token } }),
        lambdaContext,
      ),
    );
    expect(opened.result.statusCode).toBe(200);
    expect(opened.writes).toHaveLength(1);
    expect(opened.cost).toMatchObject({ requests: 2, roundTrips: 2, writeUnits: 1 });
    // Nothing else was written: the feed head (connections, presence) is the stream consumer's.
    expect(await feedHead(userId)).toBeUndefined();

    const closed = await writesOf(() =>
      modules.disconnect.handler(webSocketEvent('$disconnect', connectionId), lambdaContext),
    );
    expect(closed.result.statusCode).toBe(200);
    expect(closed.writes).toHaveLength(1);
    expect(closed.cost).toMatchObject({ requests: 1, roundTrips: 1 });
  });
});
