/**
 * Groups through the local HTTP gateway: creation, what owners, admins and plain members may change
 * (name, members, roles), leaving with ownership handed on, member counts, and the limits on a request.
 */
import { describe, expect, it } from 'vitest';
import { makeContacts, type SignedInUser, signUpAndLogin, useApi } from '../support/api';
import { expectProblem } from '../support/problems';

const api = useApi();

const UNKNOWN_ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

/** A tuple of exactly N users, so destructured users are never possibly undefined. */
type Users<N extends number, T extends SignedInUser[] = []> = T['length'] extends N
  ? T
  : Users<N, [...T, SignedInUser]>;

/** Users who all know each other (share direct conversations), so any of them may add any other. */
async function users<N extends number>(count: N): Promise<Users<N>> {
  const list = await Promise.all(Array.from({ length: count }, () => signUpAndLogin(api)));
  await Promise.all(list.map((user, index) => makeContacts(api, user, ...list.slice(index + 1))));
  return list as Users<N>;
}

function requestGroup(owner: SignedInUser, memberIds: string[], name = 'The group') {
  return api.request('POST', '/conversations', {
    token: owner.token,
    body: { type: 'group', name, memberIds },
  });
}

async function createGroup(owner: SignedInUser, members: SignedInUser[], name = 'The group') {
  const response = await requestGroup(
    owner,
    members.map((member) => member.id),
    name,
  );
  if (response.status !== 201) throw new Error(`group failed: ${response.status} ${response.text}`);
  return response.body.id as string;
}

async function details(user: SignedInUser, conversationId: string) {
  const response = await api.request('GET', `/conversations/${conversationId}`, { token: user.token });
  if (response.status !== 200) throw new Error(`details failed: ${response.status} ${response.text}`);
  return response.body;
}

async function roles(user: SignedInUser, conversationId: string): Promise<Record<string, string>> {
  const body = await details(user, conversationId);
  return Object.fromEntries(body.members.map((member: any) => [member.userId, member.role]));
}

/** The groups in an inbox listing (users() starts direct conversations too). */
const groupsIn = (items: { id: string; type: string }[]) =>
  items.filter((item) => item.type === 'group').map((item) => item.id);

const rename = (user: SignedInUser, id: string, name: string) =>
  api.request('PATCH', `/conversations/${id}`, { token: user.token, body: { name } });
const addMembers = (user: SignedInUser, id: string, userIds: string[]) =>
  api.request('POST', `/conversations/${id}/members`, { token: user.token, body: { userIds } });
const removeMember = (user: SignedInUser, id: string, userId: string) =>
  api.request('DELETE', `/conversations/${id}/members/${userId}`, { token: user.token });
const setRole = (user: SignedInUser, id: string, userId: string, role: string) =>
  api.request('PATCH', `/conversations/${id}/members/${userId}`, { token: user.token, body: { role } });
const sendText = (user: SignedInUser, id: string, text: string) =>
  api.request('POST', `/conversations/${id}/messages`, {
    token: user.token,
    body: { content: { type: 'text', text } },
  });

/** Lets the clock move so members added in separate requests have distinct joinedAt times. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('creating a group', () => {
  it('answers 201 with the creator as owner and everyone else as member', async () => {
    const [owner, bob, carol] = await users(3);

    const response = await requestGroup(owner, [bob.id, carol.id], 'Book club');

    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe(`/conversations/${response.body.id}`);
    expect(response.body).toMatchObject({
      type: 'group',
      name: 'Book club',
      createdBy: owner.id,
      memberCount: 3,
      myRole: 'owner',
      lastMessage: null,
    });
    expect(await roles(bob, response.body.id)).toEqual({
      [owner.id]: 'owner',
      [bob.id]: 'member',
      [carol.id]: 'member',
    });
  });

  it('counts a member named twice, or the creator named as a member, once', async () => {
    const [owner, bob] = await users(2);

    const response = await requestGroup(owner, [bob.id, bob.id, owner.id]);

    expect(response.status).toBe(201);
    expect(response.body.memberCount).toBe(2);
    expect(response.body.members).toHaveLength(2);
    expect((await roles(owner, response.body.id))[owner.id]).toBe('owner');
  });

  it('answers 400 naming each unknown id by its position in memberIds, and creates nothing', async () => {
    const [owner, bob] = await users(2);

    const response = await requestGroup(owner, [bob.id, UNKNOWN_ID, 'no-such-user']);

    expectProblem(response, 400, 'memberIds.1');
    expect(response.body.errors.map((error: { field: string }) => error.field)).toEqual([
      'memberIds.1',
      'memberIds.2',
    ]);
    const list = await api.request('GET', '/conversations', { token: owner.token });
    expect(groupsIn(list.body.items)).toEqual([]);
    const bobsList = await api.request('GET', '/conversations', { token: bob.token });
    expect(groupsIn(bobsList.body.items)).toEqual([]);
  });

  it("names an unknown id by its position in the request also when the list includes the creator's own id", async () => {
    const [owner] = await users(1);

    const response = await requestGroup(owner, [owner.id, UNKNOWN_ID]);

    expectProblem(response, 400, 'memberIds.1');
    expect(response.body.errors).toHaveLength(1);
  });

  it('creates a group with only its creator when memberIds is empty', async () => {
    const [owner] = await users(1);

    const response = await requestGroup(owner, [], 'Notes to self');

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ memberCount: 1, myRole: 'owner' });
  });
});

describe('renaming a group', () => {
  it('lets the owner and admins rename, visible to every member', async () => {
    const [owner, admin, member] = await users(3);
    const id = await createGroup(owner, [admin, member], 'Before');
    await setRole(owner, id, admin.id, 'admin');

    const byOwner = await rename(owner, id, 'By the owner');
    const byAdmin = await rename(admin, id, 'By the admin');

    expect(byOwner.status).toBe(200);
    expect(byOwner.body.name).toBe('By the owner');
    expect(byAdmin.status).toBe(200);
    expect((await details(member, id)).name).toBe('By the admin');
  });

  it('answers 403 when a plain member renames, says who may, and keeps the name', async () => {
    const [owner, member] = await users(2);
    const id = await createGroup(owner, [member], 'Keep me');

    const response = await rename(member, id, 'Mine now');

    expectProblem(response, 403);
    expect(response.body.detail).toBe('Only owners and admins can change the name.');
    expect((await details(owner, id)).name).toBe('Keep me');
  });

  it('trims the new name', async () => {
    const [owner] = await users(1);
    const id = await createGroup(owner, []);

    const response = await rename(owner, id, '  Spaced out  ');

    expect(response.body.name).toBe('Spaced out');
  });
});

describe('adding members', () => {
  it('lets the owner add members, who then see the conversation and its history', async () => {
    const [owner, bob, carol, dave] = await users(4);
    const id = await createGroup(owner, [bob]);
    await sendText(owner, id, 'before you came');

    const response = await addMembers(owner, id, [carol.id, dave.id]);

    expect(response.status).toBe(200);
    expect(response.body.memberCount).toBe(4);
    expect(response.body.members).toHaveLength(4);
    expect((await roles(carol, id))[carol.id]).toBe('member');
    const carolsList = await api.request('GET', '/conversations', { token: carol.token });
    expect(groupsIn(carolsList.body.items)).toEqual([id]);
    const history = await api.request('GET', `/conversations/${id}/messages`, { token: dave.token });
    expect(history.status).toBe(200);
    expect(history.body.items).toHaveLength(1);
  });

  it('lets an admin add members', async () => {
    const [owner, admin, carol] = await users(3);
    const id = await createGroup(owner, [admin]);
    await setRole(owner, id, admin.id, 'admin');

    const response = await addMembers(admin, id, [carol.id]);

    expect(response.status).toBe(200);
    expect((await details(owner, id)).memberCount).toBe(3);
  });

  it('answers 403 when a plain member adds someone, and adds nobody', async () => {
    const [owner, member, carol] = await users(3);
    const id = await createGroup(owner, [member]);

    const response = await addMembers(member, id, [carol.id]);

    expectProblem(response, 403);
    expect((await details(owner, id)).memberCount).toBe(2);
    const carolsView = await api.request('GET', `/conversations/${id}`, { token: carol.token });
    expectProblem(carolsView, 404);
  });

  it('answers 400 naming the unknown id in userIds, and adds nobody', async () => {
    const [owner, carol] = await users(2);
    const id = await createGroup(owner, []);

    const response = await addMembers(owner, id, [carol.id, UNKNOWN_ID]);

    expectProblem(response, 400, 'userIds.1');
    expect((await details(owner, id)).memberCount).toBe(1);
  });

  it('answers 400 naming userIds for more than 98 ids in one request', async () => {
    const [owner] = await users(1);
    const id = await createGroup(owner, []);
    const ids = Array.from({ length: 99 }, (_, i) => `user-${i}`);

    const response = await addMembers(owner, id, ids);

    expectProblem(response, 400, 'userIds');
    expect((await details(owner, id)).memberCount).toBe(1);
  });

  it('answers 400 naming memberIds for a new group naming more than 98 users', async () => {
    const [owner] = await users(1);

    const response = await requestGroup(
      owner,
      Array.from({ length: 99 }, (_, i) => `user-${i}`),
    );

    expectProblem(response, 400, 'memberIds');
  });

  it('keeps memberCount equal to the members through adds, repeated adds and removals', async () => {
    const [owner, bob, carol, dave, erin] = await users(5);
    const id = await createGroup(owner, [bob]);

    const added = await addMembers(owner, id, [carol.id, dave.id, carol.id]);
    const again = await addMembers(owner, id, [bob.id, dave.id, erin.id]);
    const removed = await removeMember(owner, id, carol.id);
    const left = await removeMember(dave, id, dave.id);
    const after = await details(owner, id);

    expect(added.body.memberCount).toBe(4);
    expect(again.body.memberCount).toBe(5);
    expect([removed.status, left.status]).toEqual([204, 204]);
    expect(after.memberCount).toBe(3);
    expect(after.members.map((member: any) => member.userId).sort()).toEqual(
      [owner.id, bob.id, erin.id].sort(),
    );
  });
});

describe('removing members', () => {
  it('lets the owner remove a member (204), who then gets 404 on reading and sending', async () => {
    const [owner, bob, carol] = await users(3);
    const id = await createGroup(owner, [bob, carol]);
    await sendText(bob, id, 'while I was in');

    const response = await removeMember(owner, id, bob.id);
    const history = await api.request('GET', `/conversations/${id}/messages`, { token: bob.token });
    const sent = await sendText(bob, id, 'am I still here?');
    const view = await api.request('GET', `/conversations/${id}`, { token: bob.token });

    expect(response.status).toBe(204);
    expectProblem(history, 404);
    expectProblem(sent, 404);
    expectProblem(view, 404);
    const seen = await api.request('GET', `/conversations/${id}/messages`, { token: carol.token });
    expect(seen.body.items.map((message: any) => message.content.text)).toEqual(['while I was in']);
    expect(Object.keys(await roles(owner, id))).not.toContain(bob.id);
  });

  it('answers 403 when a plain member removes another member', async () => {
    const [owner, bob, carol] = await users(3);
    const id = await createGroup(owner, [bob, carol]);

    const response = await removeMember(bob, id, carol.id);

    expectProblem(response, 403);
    expect(Object.keys(await roles(owner, id))).toContain(carol.id);
  });

  it('lets an admin remove a member but not the owner or another admin', async () => {
    const [owner, admin, otherAdmin, member] = await users(4);
    const id = await createGroup(owner, [admin, otherAdmin, member]);
    await setRole(owner, id, admin.id, 'admin');
    await setRole(owner, id, otherAdmin.id, 'admin');

    const removesOwner = await removeMember(admin, id, owner.id);
    const removesAdmin = await removeMember(admin, id, otherAdmin.id);
    const removesMember = await removeMember(admin, id, member.id);

    expectProblem(removesOwner, 403);
    expectProblem(removesAdmin, 403);
    expect(removesMember.status).toBe(204);
    expect(await roles(owner, id)).toEqual({
      [owner.id]: 'owner',
      [admin.id]: 'admin',
      [otherAdmin.id]: 'admin',
    });
  });

  it('answers 403 when an admin demotes another admin, so the admin cannot then be removed by one', async () => {
    const [owner, admin, otherAdmin] = await users(3);
    const id = await createGroup(owner, [admin, otherAdmin]);
    await setRole(owner, id, admin.id, 'admin');
    await setRole(owner, id, otherAdmin.id, 'admin');

    const demotes = await setRole(admin, id, otherAdmin.id, 'member');
    const removes = await removeMember(admin, id, otherAdmin.id);

    expectProblem(demotes, 403);
    expectProblem(removes, 403);
    expect(await roles(owner, id)).toEqual({
      [owner.id]: 'owner',
      [admin.id]: 'admin',
      [otherAdmin.id]: 'admin',
    });
  });

  it("lets the owner change an admin's role", async () => {
    const [owner, admin] = await users(2);
    const id = await createGroup(owner, [admin]);
    await setRole(owner, id, admin.id, 'admin');

    const response = await setRole(owner, id, admin.id, 'member');

    expect(response.status).toBe(200);
    expect(await roles(owner, id)).toEqual({ [owner.id]: 'owner', [admin.id]: 'member' });
  });

  it('lets the owner remove an admin', async () => {
    const [owner, admin] = await users(2);
    const id = await createGroup(owner, [admin]);
    await setRole(owner, id, admin.id, 'admin');

    const response = await removeMember(owner, id, admin.id);

    expect(response.status).toBe(204);
    expect(await roles(owner, id)).toEqual({ [owner.id]: 'owner' });
  });

  it('answers 404 for removing someone who is not a member', async () => {
    const [owner, stranger] = await users(2);
    const id = await createGroup(owner, []);

    const response = await removeMember(owner, id, stranger.id);

    expectProblem(response, 404);
    expect((await details(owner, id)).memberCount).toBe(1);
  });
});

describe('roles', () => {
  it('lets the owner promote a member to admin, who may then rename and add, and demote them back', async () => {
    const [owner, bob, carol] = await users(3);
    const id = await createGroup(owner, [bob]);

    const promoted = await setRole(owner, id, bob.id, 'admin');
    const renamedAsAdmin = await rename(bob, id, 'Renamed by Bob');
    const demoted = await setRole(owner, id, bob.id, 'member');
    const addAsMember = await addMembers(bob, id, [carol.id]);

    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({ userId: bob.id, role: 'admin' });
    expect(renamedAsAdmin.status).toBe(200);
    expect(demoted.body).toMatchObject({ userId: bob.id, role: 'member' });
    expectProblem(addAsMember, 403);
    expectProblem(await api.request('GET', `/conversations/${id}`, { token: carol.token }), 404);
    expect((await roles(owner, id))[bob.id]).toBe('member');
  });

  it('lets an admin promote a member', async () => {
    const [owner, admin, member] = await users(3);
    const id = await createGroup(owner, [admin, member]);
    await setRole(owner, id, admin.id, 'admin');

    const response = await setRole(admin, id, member.id, 'admin');

    expect(response.status).toBe(200);
    expect((await roles(owner, id))[member.id]).toBe('admin');
  });

  it('answers 403 when a plain member promotes anyone, themselves included', async () => {
    const [owner, bob, carol] = await users(3);
    const id = await createGroup(owner, [bob, carol]);

    const other = await setRole(bob, id, carol.id, 'admin');
    const self = await setRole(bob, id, bob.id, 'admin');

    expectProblem(other, 403);
    expectProblem(self, 403);
    expect(await roles(owner, id)).toEqual({ [owner.id]: 'owner', [bob.id]: 'member', [carol.id]: 'member' });
  });

  it("answers 403 for changing the owner's role", async () => {
    const [owner, admin] = await users(2);
    const id = await createGroup(owner, [admin]);
    await setRole(owner, id, admin.id, 'admin');

    const response = await setRole(admin, id, owner.id, 'member');

    expectProblem(response, 403);
    expect((await roles(owner, id))[owner.id]).toBe('owner');
  });

  it('answers 400 naming role for a role other than admin or member', async () => {
    const [owner, bob] = await users(2);
    const id = await createGroup(owner, [bob]);

    const response = await setRole(owner, id, bob.id, 'owner');

    expectProblem(response, 400, 'role');
    expect((await roles(owner, id))[bob.id]).toBe('member');
  });
});

describe('leaving', () => {
  it('lets a plain member leave; the group no longer lists them and they cannot read it', async () => {
    const [owner, bob] = await users(2);
    const id = await createGroup(owner, [bob]);

    const response = await removeMember(bob, id, bob.id);

    expect(response.status).toBe(204);
    const list = await api.request('GET', '/conversations', { token: bob.token });
    expect(groupsIn(list.body.items)).toEqual([]);
    expectProblem(await api.request('GET', `/conversations/${id}/messages`, { token: bob.token }), 404);
    expect(await roles(owner, id)).toEqual({ [owner.id]: 'owner' });
  });

  it('hands ownership to the longest-standing admin when the last owner leaves', async () => {
    const [owner, early, later, latest] = await users(4);
    const id = await createGroup(owner, [early]);
    await tick();
    await addMembers(owner, id, [later.id]);
    await tick();
    await addMembers(owner, id, [latest.id]);
    await setRole(owner, id, latest.id, 'admin');
    await setRole(owner, id, later.id, 'admin');

    const response = await removeMember(owner, id, owner.id);

    expect(response.status).toBe(204);
    expect(await roles(early, id)).toEqual({
      [early.id]: 'member',
      [later.id]: 'owner',
      [latest.id]: 'admin',
    });
  });

  it('hands ownership to the longest-standing member when there is no admin', async () => {
    const [owner, first, second] = await users(3);
    const id = await createGroup(owner, [first]);
    await tick();
    await addMembers(owner, id, [second.id]);

    const response = await removeMember(owner, id, owner.id);

    expect(response.status).toBe(204);
    expect(await roles(second, id)).toEqual({ [first.id]: 'owner', [second.id]: 'member' });
    const renamed = await rename(first, id, 'New owner was here');
    expect(renamed.status).toBe(200);
  });

  it('lets an admin leave without changing the owner', async () => {
    const [owner, admin] = await users(2);
    const id = await createGroup(owner, [admin]);
    await setRole(owner, id, admin.id, 'admin');

    const response = await removeMember(admin, id, admin.id);

    expect(response.status).toBe(204);
    expect(await roles(owner, id)).toEqual({ [owner.id]: 'owner' });
  });
});

describe('direct conversations are not groups', () => {
  it('answers 400 for renaming, adding members, removing or changing roles in a direct conversation', async () => {
    const [alice, bob, carol] = await users(3);
    const created = await api.request('POST', '/conversations', {
      token: alice.token,
      body: { type: 'direct', userId: bob.id },
    });
    const id = created.body.id as string;

    const renamed = await rename(alice, id, 'Our chat');
    const added = await addMembers(alice, id, [carol.id]);
    const removed = await removeMember(alice, id, bob.id);
    const promoted = await setRole(alice, id, bob.id, 'admin');

    for (const response of [renamed, added, removed, promoted]) expectProblem(response, 400);
    expect(renamed.body.detail).toBe('Nobody can change the name of a direct conversation.');
    const after = await details(bob, id);
    expect(after).toMatchObject({ name: null, memberCount: 2 });
    expect(await roles(alice, id)).toEqual({ [alice.id]: 'member', [bob.id]: 'member' });
  });
});

describe('members added later', () => {
  it('see the earlier history but not as unread', async () => {
    const [owner, early, late] = await Promise.all([
      signUpAndLogin(api),
      signUpAndLogin(api),
      signUpAndLogin(api),
    ]);
    await makeContacts(api, owner, early, late);
    const group = await api.request('POST', '/conversations', {
      token: owner.token,
      body: { type: 'group', name: 'history', memberIds: [early.id] },
    });
    for (const text of ['one', 'two']) {
      await api.request('POST', `/conversations/${group.body.id}/messages`, {
        token: owner.token,
        body: { content: { type: 'text', text } },
      });
    }

    await api.request('POST', `/conversations/${group.body.id}/members`, {
      token: owner.token,
      body: { userIds: [late.id] },
    });
    await api.request('POST', `/conversations/${group.body.id}/messages`, {
      token: owner.token,
      body: { content: { type: 'text', text: 'three' } },
    });
    await api.drainStreams();

    const history = await api.request('GET', `/conversations/${group.body.id}/messages`, {
      token: late.token,
    });
    expect(history.body.items).toHaveLength(3);
    const lateInbox = await api.request('GET', '/conversations', { token: late.token });
    const earlyInbox = await api.request('GET', '/conversations', { token: early.token });
    expect(lateInbox.body.items[0].unreadCount).toBe(1);
    expect(earlyInbox.body.items[0].unreadCount).toBe(3);
  });
});
