/**
 * Presence end to end, over real sockets: who is told when a user's first socket opens and their last one
 * closes (the other members of their direct conversations, nobody else), what GET /users/{id} and a
 * conversation's members show, hidden presence, and the debounce. The window is 3 s here
 * (PRESENCE_NOTICE_INTERVAL_SECONDS; 30 s by default) so the tests need not wait 30 s.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RealtimeEvent } from '../../functions/shared/schemas/realtime';
import { makeContacts, type SignedInUser, useApi } from '../support/api';
import { conversationHelpers } from '../support/conversation-helpers';
import { expectProblem } from '../support/problems';
import { connect, type TestSocket } from '../support/ws';

const WINDOW_MS = 3_000;
const api = useApi({ env: { PRESENCE_NOTICE_INTERVAL_SECONDS: String(WINDOW_MS / 1000) } });
const { users, call } = conversationHelpers(api);

const opened: TestSocket[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((socket) => socket.close()));
});

/** Opens a socket and waits until the stream has registered it (what presence is derived from). */
async function online(user: SignedInUser): Promise<TestSocket> {
  const socket = await connect(api.wsUrl, user.token);
  opened.push(socket);
  await api.drainStreams();
  return socket;
}

async function offline(socket: TestSocket): Promise<void> {
  opened.splice(opened.indexOf(socket), 1);
  await socket.close();
  await api.drainStreams();
}

const direct = async (caller: SignedInUser, other: SignedInUser): Promise<string> =>
  (await call(caller, 'POST', '/conversations', { type: 'direct', userId: other.id })).id;

type PresenceChanged = Extract<RealtimeEvent, { type: 'presence.changed' }>;

const presenceOf =
  (user: SignedInUser, online?: boolean) =>
  (event: RealtimeEvent): boolean =>
    event.type === 'presence.changed' &&
    event.userId === user.id &&
    (online === undefined || event.online === online);

const presenceEvents = (socket: TestSocket, user: SignedInUser) => socket.events.filter(presenceOf(user));

/** After the streams have caught up, nothing about `user`'s presence arrives for a further `ms`. */
async function expectNoPresence(sockets: TestSocket[], user: SignedInUser, ms = 500) {
  await api.drainStreams();
  await new Promise((resolve) => setTimeout(resolve, ms));
  for (const socket of sockets) expect(presenceEvents(socket, user)).toEqual([]);
}

const profile = async (viewer: SignedInUser, user: SignedInUser) =>
  (await api.request('GET', `/users/${user.id}`, { token: viewer.token })).body;

const waitPast = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('presence', () => {
  it('tells the other member of a direct conversation when a user comes online and goes offline, and GET /users/{id} shows it', async () => {
    const [alice, bob] = await users(2);
    await direct(alice, bob);
    const bobSocket = await online(bob);
    expect((await profile(bob, alice)).presence).toEqual({ online: false });

    const aliceSocket = await online(alice);

    const cameOnline = await bobSocket.waitFor(presenceOf(alice, true), 8000);
    expect(cameOnline).toEqual({ type: 'presence.changed', userId: alice.id, online: true });
    expect((await profile(bob, alice)).presence).toEqual({ online: true });

    await waitPast(WINDOW_MS); // one announcement per window: let the first one's pass
    await offline(aliceSocket);

    const wentOffline = await bobSocket.waitFor<PresenceChanged>(presenceOf(alice, false), 8000);
    expect(wentOffline).toEqual({
      type: 'presence.changed',
      userId: alice.id,
      online: false,
      lastActiveAt: expect.any(String),
    });
    const shown = await profile(bob, alice);
    expect(shown.presence).toEqual({ online: false, lastActiveAt: wentOffline.lastActiveAt });
    expect(Date.now() - Date.parse(shown.presence.lastActiveAt)).toBeLessThan(60_000);
    expect(presenceEvents(bobSocket, alice)).toHaveLength(2);
  });

  it('shows presence on GET /users/me, GET /users/by-username and the members of GET /conversations/{id}', async () => {
    const [alice, bob] = await users(2);
    const conversationId = await direct(alice, bob);
    await online(alice);

    const me = (await api.request('GET', '/users/me', { token: alice.token })).body;
    expect(me).toMatchObject({ presence: { online: true }, showPresence: true });
    const found = await api.request('GET', `/users/by-username/${alice.username}`, { token: bob.token });
    expect(found.body.presence).toEqual({ online: true });
    const details = (await api.request('GET', `/conversations/${conversationId}`, { token: bob.token })).body;
    const members = Object.fromEntries(
      details.members.map((member: { userId: string; presence: unknown }) => [
        member.userId,
        member.presence,
      ]),
    );
    expect(members).toEqual({ [alice.id]: { online: true }, [bob.id]: { online: false } });
  });

  it('tells nobody else: not a stranger, not someone who shares only a group with the user', async () => {
    const [alice, owner, groupOnly, stranger] = await users(4);
    // The owner is a contact of both (a direct conversation each); groupOnly shares only the group with alice.
    await makeContacts(api, owner, alice, groupOnly);
    await call(owner, 'POST', '/conversations', {
      type: 'group',
      name: 'Presence group',
      memberIds: [alice.id, groupOnly.id],
    });
    await api.drainStreams();
    const [ownerSocket, groupOnlySocket, strangerSocket] = [
      await online(owner),
      await online(groupOnly),
      await online(stranger),
    ];

    await online(alice);

    await ownerSocket.waitFor(presenceOf(alice, true), 8000);
    await expectNoPresence([groupOnlySocket, strangerSocket], alice);
    // GET /users/{id} stays open to any signed-in user, as profiles are.
    expect((await profile(stranger, alice)).presence).toEqual({ online: true });
  });

  it('hides a user who turns presence off: offline without lastActiveAt to others, and no event goes out', async () => {
    const [alice, bob] = await users(2);
    const conversationId = await direct(alice, bob);
    const hidden = await api.request('PATCH', '/users/me', {
      token: alice.token,
      body: { showPresence: false },
    });
    expect(hidden.status).toBe(200);
    expect(hidden.body.showPresence).toBe(false);
    const bobSocket = await online(bob);

    const aliceSocket = await online(alice);
    await expectNoPresence([bobSocket], alice);
    expect((await profile(bob, alice)).presence).toEqual({ online: false });
    const details = (await api.request('GET', `/conversations/${conversationId}`, { token: bob.token })).body;
    expect(details.members.find((member: { userId: string }) => member.userId === alice.id).presence).toEqual(
      {
        online: false,
      },
    );
    // She still sees her own, and others'.
    expect((await api.request('GET', '/users/me', { token: alice.token })).body.presence).toEqual({
      online: true,
    });
    expect((await profile(alice, bob)).presence).toEqual({ online: true });

    await offline(aliceSocket);
    await expectNoPresence([bobSocket], alice);
    expect((await profile(bob, alice)).presence).toEqual({ online: false });
  });

  it('announces hiding at once (offline, without lastActiveAt) and showing again through the window', async () => {
    const [alice, bob] = await users(2);
    await direct(alice, bob);
    const bobSocket = await online(bob);
    await online(alice);
    await bobSocket.waitFor(presenceOf(alice, true), 8000);

    const setPresence = async (showPresence: boolean) => {
      const response = await api.request('PATCH', '/users/me', {
        token: alice.token,
        body: { showPresence },
      });
      expect(response.status).toBe(200);
      expect(response.body).not.toHaveProperty('presenceSetIn');
      await api.drainStreams();
    };
    await setPresence(false);
    const hidden = await bobSocket.waitFor(presenceOf(alice, false), 8000);
    expect(hidden).toEqual({ type: 'presence.changed', userId: alice.id, online: false });

    // Saying it again, or changing something else, announces nothing more.
    await setPresence(false);
    const renamed = await api.request('PATCH', '/users/me', {
      token: alice.token,
      body: { displayName: 'Alice Hidden' },
    });
    expect(renamed.status).toBe(200);
    await expectNoPresence([], alice);
    expect(presenceEvents(bobSocket, alice)).toHaveLength(2);

    await setPresence(true);
    // Inside the window of the hiding notice: announced when it ends, as she is then (still online).
    const shownAgain = await bobSocket.waitFor(
      (event) => presenceOf(alice, true)(event) && presenceEvents(bobSocket, alice).length === 3,
      WINDOW_MS + 8000,
    );
    expect(shownAgain).toEqual({ type: 'presence.changed', userId: alice.id, online: true });
    expect((await profile(bob, alice)).presence).toEqual({ online: true });
  });

  it('sends at most one event per window for a flapping connection (connect, disconnect, connect), and shows the final state', async () => {
    const [alice, bob] = await users(2);
    await direct(alice, bob);
    const bobSocket = await online(bob);

    const first = await connect(api.wsUrl, alice.token);
    await first.close();
    const last = await connect(api.wsUrl, alice.token);
    opened.push(last);
    await api.drainStreams();

    await bobSocket.waitFor(presenceOf(alice), 8000);
    await waitPast(WINDOW_MS - 500);
    expect(presenceEvents(bobSocket, alice)).toHaveLength(1);
    // Whatever was announced, GET shows where the flap ended: online.
    expect((await profile(bob, alice)).presence).toEqual({ online: true });
  });

  it('announces the state a flap ends in when the window closes: a user who came and went within it is shown offline', async () => {
    const [alice, bob] = await users(2);
    await direct(alice, bob);
    const bobSocket = await online(bob);

    const visit = await online(alice);
    await bobSocket.waitFor(presenceOf(alice, true), 8000);
    const cameAt = Date.now();
    await offline(visit); // within the window: held back, not lost

    const wentOffline = await bobSocket.waitFor<PresenceChanged>(presenceOf(alice, false), WINDOW_MS + 8000);
    // Not before the window allowed it (less a little: the window counts from when the first notice was claimed).
    expect(Date.now() - cameAt).toBeGreaterThanOrEqual(WINDOW_MS - 1000);
    expect(wentOffline).toEqual({
      type: 'presence.changed',
      userId: alice.id,
      online: false,
      lastActiveAt: expect.any(String),
    });
    expect(presenceEvents(bobSocket, alice).map((event) => (event as PresenceChanged).online)).toEqual([
      true,
      false,
    ]);
    expect((await profile(bob, alice)).presence).toEqual({
      online: false,
      lastActiveAt: wentOffline.lastActiveAt,
    });
  });

  it('refuses a presence setting that is not a boolean with 400, changing nothing', async () => {
    const [alice] = await users(1);
    for (const showPresence of ['false', null, 0, {}]) {
      const response = await api.request('PATCH', '/users/me', {
        token: alice.token,
        body: { showPresence },
      });
      expectProblem(response, 400, 'showPresence');
    }
    expect((await api.request('GET', '/users/me', { token: alice.token })).body.showPresence).toBe(true);
  });
});
