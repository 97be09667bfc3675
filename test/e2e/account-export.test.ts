/**
 * Exporting your data (`POST` / `GET /users/me/export`) through the local stack: the file is written off the
 * request path (table stream), holds exactly the caller's profile, conversations and own messages (with links
 * to their media) and nothing other members wrote, is fetched through a signed link, and can be asked for once
 * a day. Limits are on in this file.
 */
import { describe, expect, it } from 'vitest';
import { useApi } from '../support/api';
import { conversationHelpers } from '../support/conversation-helpers';
import { expectProblem } from '../support/problems';
import { uploadImage } from '../support/uploads';

const api = useApi({ env: { RATE_LIMITS: 'on' } });
const { users, call, group, send } = conversationHelpers(api);

describe('data export', () => {
  it("contains exactly the caller's profile, conversations and own messages, with links to their media", async () => {
    const [alice, bob, carol] = await users(3);
    const groupId = await group(alice, [bob, carol], 'Weekend');
    const direct = (await call(alice, 'POST', '/conversations', { type: 'direct', userId: bob.id })).id;
    const bobsOwn = await group(bob, [carol], 'Without Alice');
    const mine = [
      await send(alice, groupId, 'alice in the group'),
      await send(alice, direct, 'alice to bob'),
    ];
    const imageId = await uploadImage(api, alice);
    mine.push(
      (
        await call(alice, 'POST', `/conversations/${groupId}/messages`, {
          content: { type: 'image', image: imageId },
        })
      ).id,
    );
    await send(bob, groupId, 'bob secret in the group');
    await send(bob, direct, 'bob secret to alice');
    await send(carol, bobsOwn, 'carol secret elsewhere');

    const started = await api.request('POST', '/users/me/export', { token: alice.token });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ status: 'pending', url: null });
    await api.drainStreams();
    const status = await api.request('GET', '/users/me/export', { token: alice.token });
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ status: 'ready', url: expect.stringMatching(/^http/) });
    expect(status.headers.get('cache-control')).toBe('no-store');
    const download = await fetch(status.body.url);
    expect(download.status).toBe(200);
    const file = JSON.parse(await download.text());

    expect(file.profile).toMatchObject({ id: alice.id, username: alice.username });
    const conversationIds = file.conversations.map((conversation: any) => conversation.id).sort();
    // The direct conversations the helpers started (contacts) are the caller's too.
    expect(conversationIds).toContain(groupId);
    expect(conversationIds).toContain(direct);
    expect(conversationIds).not.toContain(bobsOwn);
    const messages = file.conversations.flatMap((conversation: any) => conversation.messagesSentByYou);
    expect(messages.map((message: any) => message.id).sort()).toEqual([...mine].sort());
    const text = JSON.stringify(file);
    expect(text).not.toContain('secret');
    expect(text).not.toContain(bob.username);
    expect(file.conversations.find((c: any) => c.id === groupId)).toMatchObject({
      role: 'owner',
      type: 'group',
    });
    const image = messages.find((message: any) => message.content.type === 'image');
    expect(image.content).toMatchObject({ image: imageId, url: expect.stringMatching(/^http/) });
    expect((await fetch(image.content.url)).status).toBe(200);
  });

  it('answers 404 before any export, and keeps each user to their own', async () => {
    const [alice, bob] = await users(2);
    expect((await api.request('POST', '/users/me/export', { token: alice.token })).status).toBe(202);
    await api.drainStreams();

    expectProblem(await api.request('GET', '/users/me/export', { token: bob.token }), 404);
    expectProblem(await api.request('GET', '/users/me/export'), 401);
    expectProblem(await api.request('POST', '/users/me/export'), 401);
  });

  it('allows one export a day: a second is refused with 429 and Retry-After', async () => {
    const [user] = await users(1);
    expect((await api.request('POST', '/users/me/export', { token: user.token })).status).toBe(202);

    const again = await api.request('POST', '/users/me/export', { token: user.token });

    expectProblem(again, 429);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
