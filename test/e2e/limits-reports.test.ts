/** POST /reports is rate-limited per user (the `reports` limit), so the queue cannot be flooded. */
import { describe, expect, it } from 'vitest';
import { signUpAndLogin, useApi } from '../support/api';
import { expectProblem } from '../support/problems';

const api = useApi({ env: { RATE_LIMITS: 'on', RATE_LIMIT_REPORTS: '2/60' } });

describe('the reports limit', () => {
  it('refuses a third report within the window with 429, and counts per user', async () => {
    const [alice, bob, carol] = await Promise.all([
      signUpAndLogin(api),
      signUpAndLogin(api),
      signUpAndLogin(api),
    ]);
    const report = (from: typeof alice) =>
      api.request('POST', '/reports', { token: from.token, body: { userId: carol.id, reason: 'spam' } });

    expect((await report(alice)).status).toBe(201);
    expect((await report(alice)).status).toBe(201);
    const third = await report(alice);

    expectProblem(third, 429);
    expect(third.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await report(bob)).status).toBe(201);
  });
});
