/**
 * What a login costs in sequential DynamoDB round trips with the failed-login limits on, as deployed: the
 * limit counters must not add round trips of their own (issue 8's cost budget; docs/data-model.md).
 * Counted with the bench's capacity meter on the real handler.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { installCapacityMeter, measure } from '../../bench/capacity';
import { uniqueUsername } from '../support/api';
import { httpEvent, lambdaContext } from '../support/events';

type Handler = (
  event: APIGatewayProxyEventV2,
  context: typeof lambdaContext,
) => Promise<{
  statusCode: number;
  body?: string;
  headers?: { [header: string]: boolean | number | string };
}>;

let handlers: { signUp: Handler; login: Handler };

beforeAll(async () => {
  // Limits read their settings at load: turn them on before the handlers are imported.
  process.env.RATE_LIMITS = 'on';
  vi.resetModules();
  const [client, signUp, login] = await Promise.all([
    import('../../functions/shared/data/client'),
    import('../../functions/http/sign-up'),
    import('../../functions/http/login'),
  ]);
  installCapacityMeter(client.dynamo);
  handlers = { signUp: signUp.handler, login: login.handler };
  return () => {
    process.env.RATE_LIMITS = 'off';
  };
});

async function signUp() {
  const username = uniqueUsername('trips');
  const password = 'a long enough password';
  const created = await handlers.signUp(
    httpEvent({ routeKey: 'POST /users', body: { username, password } }),
    lambdaContext,
  );
  expect(created.statusCode).toBe(201);
  return { username, password };
}

const login = (body: { username: string; password: string }) =>
  measure(() => handlers.login(httpEvent({ routeKey: 'POST /login', body }), lambdaContext));

describe('login round trips with the failed-login limits on', () => {
  it('takes 2: the attempt is counted beside the claim read, and given back beside the session write', async () => {
    const credentials = await signUp();

    const { result, cost } = await login(credentials);

    expect(result.statusCode).toBe(200);
    expect(String(result.headers?.ratelimit)).toMatch(/"failed-logins";r=4;/);
    // Claim + two counters, then profile + session + the two counters given back.
    expect(cost).toMatchObject({ requests: 7, roundTrips: 2 });
  });

  it('takes 1 for a wrong password: the counted attempt is kept', async () => {
    const { username } = await signUp();

    const { result, cost } = await login({ username, password: 'not the password' });

    expect(result.statusCode).toBe(401);
    expect(cost).toMatchObject({ requests: 3, roundTrips: 1 });
  });
});
