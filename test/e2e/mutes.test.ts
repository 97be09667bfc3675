/**
 * Muting a conversation, end to end: a flag only the muting member sees (inbox, conversation), until a time or
 * until unmuted, while unread counts go on; members only.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RealtimeEvent } from '../../functions/shared/schemas/realtime';
import { type SignedInUser, useApi } from '../support/api';
import { conversationHelpers } from '../support/conversation-helpers';
import { connect, type TestSocket } from '../support/ws';

const api = useApi();
const { users, call, group, send } = conversationHelpers(api);

const opened: TestSocket[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((socket) => socket.close()));
});
async function online(user: SignedInUser): Promise<TestSocket> {
  const socket = await connect(api.wsUrl, user.token, 'query');
  opened.push(socket);
  return socket;
}

const mute = (user: SignedInUser, conversationId: string, body: unknown) =>
  api.request('PUT', `/conversations/${conversationId}/mute`, { token: user.token, body });
const unmute = (user: SignedInUser, conversationId: string) =>
  api.request('DELETE', `/conversations/${conversationId}/mute`, { token: user.token });

const inboxEntry = async (user: SignedInUser, conversationId: string) => {
  const list = await call(user, 'GET', '/conversations?limit=100');
  return list.items.find((item: { id: string }) => item.id === conversationId);
};

describe('muting a conversation', () => {
  it('flags it as muted for the muting member only, in the inbox and the conversation, and keeps counting unread messages', async () => {
    const [alice, bob, carol] = await users(3);
    const groupId = await group(alice, [bob, carol]);

    const muted = await mute(bob, groupId, {});
    await send(alice, groupId, 'still counted');
    await api.drainStreams();

    expect(muted.status).toBe(200);
    expect(muted.body).toEqual({ conversationId: groupId, muted: true });
    const bobsEntry = await inboxEntry(bob, groupId);
    expect(bobsEntry.muted).toBe(true);
    expect(bobsEntry).not.toHaveProperty('mutedUntil');
    expect(bobsEntry.unreadCount).toBe(1);
    expect((await call(bob, 'GET', `/conversations/${groupId}`)).muted).toBe(true);
    // Nobody else sees it: not as their own state, not on bob's membership.
    expect((await inboxEntry(carol, groupId)).muted).toBe(false);
    const seenByCarol = await call(carol, 'GET', `/conversations/${groupId}`);
    expect(seenByCarol.muted).toBe(false);
    expect(JSON.stringify(seenByCarol.members)).not.toContain('mute');
  });

  it('mutes until a time, shown as mutedUntil, and reads an expired mute as not muted', async () => {
    const [alice, bob] = await users(2);
    const { id } = await call(alice, 'POST', '/conversations', { type: 'direct', userId: bob.id });
    const until = new Date(Date.now() + 3_600_000);

    const muted = await mute(alice, id, { until: until.toISOString().replace('Z', '+00:00') });
    const details = await call(alice, 'GET', `/conversations/${id}`);
    const shortly = await mute(alice, id, { until: new Date(Date.now() + 1500).toISOString() });
    await new Promise((resolve) => setTimeout(resolve, 1600));

    expect(muted.body).toEqual({ conversationId: id, muted: true, mutedUntil: until.toISOString() });
    expect(details.muted).toBe(true);
    expect(details.mutedUntil).toBe(until.toISOString());
    expect(shortly.status).toBe(200);
    const expired = await inboxEntry(alice, id);
    expect(expired.muted).toBe(false);
    expect(expired).not.toHaveProperty('mutedUntil');
  });

  it('unmutes, and unmuting twice is fine', async () => {
    const [alice, bob] = await users(2);
    const groupId = await group(alice, [bob]);
    await mute(bob, groupId, {});

    const first = await unmute(bob, groupId);
    const second = await unmute(bob, groupId);

    expect(first.status).toBe(204);
    expect(second.status).toBe(204);
    expect((await inboxEntry(bob, groupId)).muted).toBe(false);
  });

  it('answers 404 to a non-member, for a group that exists and one that does not', async () => {
    const [alice, bob, mallory] = await users(3);
    const groupId = await group(alice, [bob]);

    const responses = [
      await mute(mallory, groupId, {}),
      await unmute(mallory, groupId),
      await mute(mallory, '01ARZ3NDEKTSV4RRFFQ69G5FAV', {}),
    ];

    for (const response of responses) {
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('refuses an until in the past, too far ahead, not a time, and unknown fields with 400, and writes nothing', async () => {
    const [alice, bob] = await users(2);
    const groupId = await group(alice, [bob]);
    const day = 24 * 3_600_000;

    const cases = [
      { until: new Date(Date.now() - 60_000).toISOString() },
      { until: new Date(Date.now() + 400 * day).toISOString() },
      { until: 'tomorrow' },
      { until: '2026-13-45T99:00:00Z' },
      { until: 1_700_000_000 },
      { forever: true },
    ];
    for (const body of cases) {
      const response = await mute(bob, groupId, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body.errors.length).toBeGreaterThan(0);
    }
    const missing = await api.request('PUT', `/conversations/${groupId}/mute`, { token: bob.token });
    expect(missing.status).toBe(400);
    expect((await inboxEntry(bob, groupId)).muted).toBe(false);
  });

  it("tells the muting user's other devices (socket and /sync), and nobody else", async () => {
    const [alice, bob] = await users(2);
    const groupId = await group(alice, [bob]);
    const cursor = (await call(bob, 'GET', '/sync')).nextCursor;
    const [bobsOtherDevice, aliceSocket] = await Promise.all([online(bob), online(alice)]);
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const mutedEvent = (event: RealtimeEvent) => event.type === 'conversation.muted';

    await mute(bob, groupId, { until });
    const muted = await bobsOtherDevice.waitFor(mutedEvent);
    await unmute(bob, groupId);
    const unmuted = await bobsOtherDevice.waitFor((event) => mutedEvent(event) && !event.muted);
    await api.drainStreams();

    expect(muted).toMatchObject({ conversationId: groupId, muted: true, mutedUntil: until });
    expect(unmuted).toMatchObject({ conversationId: groupId, muted: false });
    expect(unmuted).not.toHaveProperty('mutedUntil');
    const synced = await call(bob, 'GET', `/sync?since=${encodeURIComponent(cursor)}`);
    expect(synced.events.filter(mutedEvent).map((event: { muted: boolean }) => event.muted)).toEqual([
      true,
      false,
    ]);
    expect(aliceSocket.events.filter(mutedEvent)).toEqual([]);
  });
});
