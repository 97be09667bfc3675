/** Reports (issue 13): users report what they can see; administrators work the queue, each resolution audited. */
import { describe, expect, it } from 'vitest';
import { type SignedInUser, signUpAndLogin, useApi } from '../support/api';
import { conversationHelpers } from '../support/conversation-helpers';
import { expectProblem } from '../support/problems';

const api = useApi();
const { users, call, group, send } = conversationHelpers(api);
const ULID = '01J00000000000000000000000';

async function newAdmin(): Promise<SignedInUser> {
  const admin = await signUpAndLogin(api);
  // Imported once the stack runs: function modules read their configuration at load.
  const { changeRole } = await import('../../functions/shared/domain/admin');
  await changeRole(admin.username, 'admin');
  return admin;
}

describe('POST /reports', () => {
  it('files a report of a message the reporter can see, with the text as it was, into the queue', async () => {
    const admin = await newAdmin();
    const [alice, bob] = await users(2);
    const conversationId = await group(alice, [bob]);
    const messageId = await send(alice, conversationId, 'rude words');

    const created = await api.request('POST', '/reports', {
      token: bob.token,
      body: { conversationId, messageId, reason: 'harassment', details: ' keeps doing it ' },
    });
    const queue = await call(admin, 'GET', '/admin/reports');

    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      reason: 'harassment',
      createdAt: expect.any(String),
      status: 'open',
    });
    expect(queue.items).toContainEqual({
      id: created.body.id,
      reporterId: bob.id,
      target: { type: 'message', conversationId, messageId, senderId: alice.id, text: 'rude words' },
      reason: 'harassment',
      details: 'keeps doing it',
      createdAt: created.body.createdAt,
      status: 'open',
      resolution: null,
    });
  });

  it('answers 404 for a message in a conversation the reporter is not in, as for one that does not exist', async () => {
    const [alice, bob, mallory] = await users(3);
    const conversationId = await group(alice, [bob]);
    const messageId = await send(alice, conversationId);

    const outsider = await api.request('POST', '/reports', {
      token: mallory.token,
      body: { conversationId, messageId, reason: 'spam' },
    });
    const missing = await api.request('POST', '/reports', {
      token: bob.token,
      body: { conversationId, messageId: ULID, reason: 'spam' },
    });

    expectProblem(outsider, 404);
    expectProblem(missing, 404);
  });

  it('files a report of a user, and refuses unknown users (404) and oneself (400)', async () => {
    const [alice, bob] = await users(2);

    const created = await api.request('POST', '/reports', {
      token: alice.token,
      body: { userId: bob.id, reason: 'spam' },
    });

    expect(created.status).toBe(201);
    expectProblem(
      await api.request('POST', '/reports', { token: alice.token, body: { userId: ULID, reason: 'spam' } }),
      404,
    );
    expectProblem(
      await api.request('POST', '/reports', {
        token: alice.token,
        body: { userId: alice.id, reason: 'spam' },
      }),
      400,
      'userId',
    );
  });

  it.each([
    ['no target', { reason: 'spam' }, '(body)'],
    [
      'a message and a user',
      { userId: ULID, conversationId: ULID, messageId: ULID, reason: 'spam' },
      '(body)',
    ],
    ['a message without its conversation', { messageId: ULID, reason: 'spam' }, '(body)'],
    ['an unknown reason', { userId: ULID, reason: 'boring' }, 'reason'],
    ['no reason', { userId: ULID }, 'reason'],
    ['details too long', { userId: ULID, reason: 'other', details: 'x'.repeat(1001) }, 'details'],
    ['an unknown field', { userId: ULID, reason: 'spam', extra: 1 }, 'extra'],
  ])('refuses %s with 400', async (_name, body, field) => {
    const user = await signUpAndLogin(api);

    expectProblem(await api.request('POST', '/reports', { token: user.token, body }), 400, field);
  });
});

describe('the report queue', () => {
  it('lists open reports before resolved ones, page by page', async () => {
    const admin = await newAdmin();
    const [alice, bob] = await users(2);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await call(alice, 'POST', '/reports', { userId: bob.id, reason: 'spam' })).id);
    }
    await call(admin, 'POST', `/admin/reports/${ids[0]}/resolve`, { action: 'dismiss' });

    const items: { id: string; status: string }[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: typeof items; nextCursor: string | null } = await call(
        admin,
        'GET',
        `/admin/reports?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      );
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);

    const mine = items.filter((item) => ids.includes(item.id));
    expect(mine.map((item) => [item.id, item.status])).toEqual([
      [ids[1], 'open'],
      [ids[2], 'open'],
      [ids[0], 'resolved'],
    ]);
    const statuses = items.map((item) => item.status);
    expect(statuses.indexOf('resolved')).toBeGreaterThan(statuses.lastIndexOf('open'));
    expectProblem(await api.request('GET', '/admin/reports?cursor=bad', { token: admin.token }), 400);
  });

  it('resolves with remove-message: the message gets the moderation tombstone, and the log says so', async () => {
    const admin = await newAdmin();
    const [alice, bob] = await users(2);
    const conversationId = await group(alice, [bob]);
    const messageId = await send(alice, conversationId, 'bad');
    const report = await call(bob, 'POST', '/reports', { conversationId, messageId, reason: 'hate' });

    const resolved = await call(admin, 'POST', `/admin/reports/${report.id}/resolve`, {
      action: 'remove-message',
    });

    expect(resolved).toMatchObject({
      status: 'resolved',
      resolution: { action: 'remove-message', by: admin.id, at: expect.any(String) },
    });
    const history = await call(bob, 'GET', `/conversations/${conversationId}/messages`);
    expect(history.items.find((item: { id: string }) => item.id === messageId)).toMatchObject({
      content: null,
      removedByModeration: true,
    });
    const log = await call(admin, 'GET', '/admin/audit?limit=1');
    expect(log.items[0]).toMatchObject({
      action: 'report.resolve',
      actorId: admin.id,
      target: { type: 'report', id: report.id },
      details: { action: 'remove-message', reason: 'hate', conversationId, messageId },
    });
  });

  it("resolves with disable-user: the reported message's sender can no longer log in", async () => {
    const admin = await newAdmin();
    const [alice, bob] = await users(2);
    const conversationId = await group(alice, [bob]);
    const messageId = await send(alice, conversationId, 'scam link');
    const report = await call(bob, 'POST', '/reports', { conversationId, messageId, reason: 'spam' });

    await call(admin, 'POST', `/admin/reports/${report.id}/resolve`, { action: 'disable-user' });

    const login = await api.request('POST', '/login', {
      body: { username: alice.username, password: alice.password },
    });
    expectProblem(login, 403);
    expect(login.body.type).toBe('urn:chat-backend:problem:account-disabled');
  });

  it('refuses a second resolution (409), an unknown report (404), remove-message on a user report and bad actions (400)', async () => {
    const admin = await newAdmin();
    const [alice, bob] = await users(2);
    const report = await call(alice, 'POST', '/reports', { userId: bob.id, reason: 'other' });
    const resolve = (id: string, body: unknown) =>
      api.request('POST', `/admin/reports/${id}/resolve`, { token: admin.token, body });

    expectProblem(await resolve(report.id, { action: 'remove-message' }), 400, 'action');
    expectProblem(await resolve(report.id, { action: 'ban-forever' }), 400, 'action');
    expectProblem(await resolve(report.id, {}), 400, 'action');
    expectProblem(await resolve(ULID, { action: 'dismiss' }), 404);
    expect((await resolve(report.id, { action: 'dismiss' })).status).toBe(200);
    expectProblem(await resolve(report.id, { action: 'dismiss' }), 409);
    // Nothing of the refused attempts was written: the report stays resolved as dismissed.
    const queue = await call(admin, 'GET', '/admin/reports?limit=100');
    expect(queue.items.find((item: { id: string }) => item.id === report.id).resolution.action).toBe(
      'dismiss',
    );
  });
});
