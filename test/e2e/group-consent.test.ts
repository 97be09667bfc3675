/**
 * Who may put a user in a group (issue 8): only someone they share a (direct) conversation with, at creation
 * and when adding; someone who left a group is not added back until they agree (PUT .../rejoin-consent),
 * while someone removed may be. Through the local gateway, limits on (the consent route's own limit is short).
 */
import { describe, expect, it } from 'vitest';
import { makeContacts, type SignedInUser, signUpAndLogin, useApi } from '../support/api';
import { expectProblem } from '../support/problems';

const api = useApi({
  env: { RATE_LIMITS: 'on', RATE_LIMIT_SIGN_UPS: '1000/3600', RATE_LIMIT_CONSENT_TO_REJOIN: '3/60' },
});

const STRANGERS = 'You can only add people you share a conversation with';

const users = (count: number) => Promise.all(Array.from({ length: count }, () => signUpAndLogin(api)));
const createGroup = (owner: SignedInUser, members: SignedInUser[]) =>
  api.request('POST', '/conversations', {
    token: owner.token,
    body: { type: 'group', name: 'Consent', memberIds: members.map((member) => member.id) },
  });
const addMembers = (user: SignedInUser, id: string, members: SignedInUser[]) =>
  api.request('POST', `/conversations/${id}/members`, {
    token: user.token,
    body: { userIds: members.map((member) => member.id) },
  });
const leave = (user: SignedInUser, id: string) =>
  api.request('DELETE', `/conversations/${id}/members/${user.id}`, { token: user.token });
const consent = (user: SignedInUser, id: string) =>
  api.request('PUT', `/conversations/${id}/rejoin-consent`, { token: user.token });
const inbox = async (user: SignedInUser) =>
  (await api.request('GET', '/conversations', { token: user.token })).body.items.map(
    (item: { id: string }) => item.id,
  );
const memberIds = async (user: SignedInUser, id: string) =>
  (await api.request('GET', `/conversations/${id}`, { token: user.token })).body.members
    .map((member: { userId: string }) => member.userId)
    .sort();

/** A group of `owner` and `members`, who are the owner's contacts first. */
async function groupOf(owner: SignedInUser, members: SignedInUser[]): Promise<string> {
  await makeContacts(api, owner, ...members);
  const created = await createGroup(owner, members);
  if (created.status !== 201) throw new Error(`group failed: ${created.status} ${created.text}`);
  return created.body.id;
}

describe('creating a group', () => {
  it('refuses members the creator shares no conversation with, with 403 naming them, and creates nothing', async () => {
    const [owner, friend, stranger] = (await users(3)) as [SignedInUser, SignedInUser, SignedInUser];
    await makeContacts(api, owner, friend);
    const ownerInbox = await inbox(owner);

    const response = await createGroup(owner, [friend, stranger]);

    expectProblem(response, 403, 'memberIds.1');
    expect(response.body.detail).toContain(STRANGERS);
    expect(response.body.errors).toEqual([
      { field: 'memberIds.1', message: 'shares no conversation with you' },
    ]);
    expect(await inbox(owner)).toEqual(ownerInbox);
    expect(await inbox(stranger)).toEqual([]);
  });

  it('accepts members who share a direct conversation with the creator, whoever started it', async () => {
    const [owner, started, startedByThem] = (await users(3)) as [SignedInUser, SignedInUser, SignedInUser];
    await makeContacts(api, owner, started);
    await makeContacts(api, startedByThem, owner);

    const response = await createGroup(owner, [started, startedByThem]);

    expect(response.status).toBe(201);
    expect(response.body.memberCount).toBe(3);
  });

  it('still answers 400 naming an unknown user id before anything else', async () => {
    const [owner] = (await users(1)) as [SignedInUser];

    const response = await api.request('POST', '/conversations', {
      token: owner.token,
      body: { type: 'group', name: 'Consent', memberIds: ['01ARZ3NDEKTSV4RRFFQ69G5FAV'] },
    });

    expectProblem(response, 400, 'memberIds.0');
  });
});

describe('adding members', () => {
  it('refuses someone the adder shares no conversation with, with 403, and adds nobody of the request', async () => {
    const [owner, friend, stranger] = (await users(3)) as [SignedInUser, SignedInUser, SignedInUser];
    const id = await groupOf(owner, []);
    await makeContacts(api, owner, friend);

    const response = await addMembers(owner, id, [friend, stranger]);

    expectProblem(response, 403, 'userIds.1');
    expect(response.body.detail).toContain(STRANGERS);
    expect(await memberIds(owner, id)).toEqual([owner.id]);
    expect(await inbox(stranger)).toEqual([]);
  });

  it('counts only direct conversations as shared: a fellow group member is messaged first', async () => {
    const [owner, admin, member] = (await users(3)) as [SignedInUser, SignedInUser, SignedInUser];
    const id = await groupOf(owner, [admin, member]);
    await api.request('PATCH', `/conversations/${id}/members/${admin.id}`, {
      token: owner.token,
      body: { role: 'admin' },
    });
    const second = await groupOf(admin, []);

    const refused = await addMembers(admin, second, [member]);
    await makeContacts(api, member, admin);
    const added = await addMembers(admin, second, [member]);

    expectProblem(refused, 403, 'userIds.0');
    expect(added.status).toBe(200);
    expect(await memberIds(admin, second)).toEqual([admin.id, member.id].sort());
  });
});

describe('leaving and coming back', () => {
  it('refuses to add back someone who left, until they agree; then a contact may add them', async () => {
    const [owner, bob] = (await users(2)) as [SignedInUser, SignedInUser];
    const id = await groupOf(owner, [bob]);
    expect((await leave(bob, id)).status).toBe(204);

    const refused = await addMembers(owner, id, [bob]);
    const agreed = await consent(bob, id);
    const added = await addMembers(owner, id, [bob]);

    expectProblem(refused, 403, 'userIds.0');
    expect(refused.body.detail).toContain('left this group');
    expect(refused.body.errors).toEqual([
      { field: 'userIds.0', message: 'left this group and has not agreed to be added again' },
    ]);
    expect(agreed.status).toBe(204);
    expect(agreed.text).toBe('');
    expect(added.status).toBe(200);
    expect(await memberIds(owner, id)).toEqual([owner.id, bob.id].sort());
    expect(await inbox(bob)).toContain(id);
  });

  it('asks for consent again after a second leave', async () => {
    const [owner, bob] = (await users(2)) as [SignedInUser, SignedInUser];
    const id = await groupOf(owner, [bob]);
    await leave(bob, id);
    await consent(bob, id);
    await addMembers(owner, id, [bob]);

    await leave(bob, id);
    const refused = await addMembers(owner, id, [bob]);

    expectProblem(refused, 403, 'userIds.0');
  });

  it('lets a moderator add back someone who was removed (not left) without consent', async () => {
    const [owner, bob] = (await users(2)) as [SignedInUser, SignedInUser];
    const id = await groupOf(owner, [bob]);
    await api.request('DELETE', `/conversations/${id}/members/${bob.id}`, { token: owner.token });

    const added = await addMembers(owner, id, [bob]);

    expect(added.status).toBe(200);
    expect(added.body.memberCount).toBe(2);
  });

  it('keeps the consent of someone who left other groups to those groups', async () => {
    const [owner, bob] = (await users(2)) as [SignedInUser, SignedInUser];
    const [first, second] = [await groupOf(owner, [bob]), await groupOf(owner, [bob])];
    await leave(bob, first);
    await leave(bob, second);
    await consent(bob, first);

    expect((await addMembers(owner, first, [bob])).status).toBe(200);
    expectProblem(await addMembers(owner, second, [bob]), 403, 'userIds.0');
  });
});

describe('PUT /conversations/{id}/rejoin-consent', () => {
  it('answers 204 again for a second consent (nothing changes)', async () => {
    const [owner, bob] = (await users(2)) as [SignedInUser, SignedInUser];
    const id = await groupOf(owner, [bob]);
    await leave(bob, id);

    expect((await consent(bob, id)).status).toBe(204);
    expect((await consent(bob, id)).status).toBe(204);
  });

  it('answers 404 alike for a group the caller is in, never was in, or that does not exist', async () => {
    const [owner, bob, outsider] = (await users(3)) as [SignedInUser, SignedInUser, SignedInUser];
    const id = await groupOf(owner, [bob]);

    const responses = [
      await consent(bob, id),
      await consent(outsider, id),
      await consent(outsider, '01ARZ3NDEKTSV4RRFFQ69G5FAV'),
    ];

    for (const response of responses) expectProblem(response, 404);
    expect(responses[0]?.body.detail).toBe(`No group "${id}" that you left.`);
    expect(await memberIds(owner, id)).toEqual([owner.id, bob.id].sort());
  });

  it('answers 401 without a valid token', async () => {
    const response = await api.request('PUT', '/conversations/some-id/rejoin-consent', {
      token: 'not-a-token',
    });

    expectProblem(response, 401);
  });

  it('answers 400 naming the id for an id over 100 characters', async () => {
    const [bob] = (await users(1)) as [SignedInUser];

    const response = await consent(bob, 'x'.repeat(101));

    expectProblem(response, 400, '(path) id');
  });

  it('is limited per user: the call past the limit gets 429 with Retry-After; other users are unaffected', async () => {
    const [owner, bob, carol] = (await users(3)) as [SignedInUser, SignedInUser, SignedInUser];
    const id = await groupOf(owner, [bob, carol]);
    await leave(bob, id);
    await leave(carol, id);

    const allowed = [await consent(bob, id), await consent(bob, id), await consent(bob, id)];
    const refused = await consent(bob, id);
    const other = await consent(carol, id);

    expect(allowed.map((response) => response.status)).toEqual([204, 204, 204]);
    expectProblem(refused, 429);
    expect(refused.body.detail).toContain('consent-to-rejoin');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('ratelimit-policy')).toBe('"consent-to-rejoin";q=3;w=60');
    expect(other.status).toBe(204);
  });
});
