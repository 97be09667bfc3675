/**
 * Group membership and read markers against a real (local) DynamoDB table, at sizes and in races that are
 * slow to set up over HTTP: the group size limit with hundreds of users, concurrent membership changes, and
 * the read marker's checks.
 */
import { PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { describe, expect, it, vi } from 'vitest';
import { config, readConfig } from '../../functions/shared/config';
import { dynamo, tableName } from '../../functions/shared/data/client';
import { getConversation, queryMembers } from '../../functions/shared/data/conversations-store';
import { memberKey, userKey } from '../../functions/shared/data/keys';
import { countUnreadBetween, tryMoveReadMarker } from '../../functions/shared/data/messages-store';
import {
  addMembers,
  changeRole,
  createDirect,
  createGroup,
  removeMember,
  rename,
} from '../../functions/shared/domain/conversations';
import { send } from '../../functions/shared/domain/messages';
import { ConflictError, ValidationError } from '../../functions/shared/errors';

/** Writes `count` user profiles straight into the table (no passwords needed here) and returns their ids. */
async function createUsers(count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => ulid());
  const now = new Date().toISOString();
  await Promise.all(
    ids.map((id) =>
      dynamo.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...userKey(id),
            type: 'User',
            id,
            username: `u${id.toLowerCase()}`,
            displayName: id,
            createdAt: now,
            updatedAt: now,
          },
        }),
      ),
    ),
  );
  return ids;
}

/** Makes `owner` a contact of each of `others` (a direct conversation), as groups require (issue 8). */
async function contactsOf(owner: string, others: string[]): Promise<void> {
  for (const batch of chunks(others, 25)) await Promise.all(batch.map((other) => createDirect(owner, other)));
}

/** memberCount as stored, and the number of membership items actually there. */
async function counts(conversationId: string) {
  const [conversation, { members }] = await Promise.all([
    getConversation(conversationId),
    queryMembers(conversationId),
  ]);
  if (!conversation) throw new Error(`conversation ${conversationId} is missing`);
  return { memberCount: conversation.memberCount, memberItems: members.length };
}

function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

const text = (value: string) => ({ content: { type: 'text' as const, text: value } });

describe('the group size limit', () => {
  it('is 256 members unless MAX_GROUP_MEMBERS says otherwise', () => {
    expect(readConfig({ TABLE_NAME: 'any' }).maxGroupMembers).toBe(256);
    expect(readConfig({ TABLE_NAME: 'any', MAX_GROUP_MEMBERS: '12' }).maxGroupMembers).toBe(12);
  });

  it('lets a group grow to exactly the limit in batches, then refuses one more with a conflict naming userIds', async () => {
    const limit = config.maxGroupMembers;
    const [owner, ...others] = (await createUsers(limit + 1)) as [string, ...string[]];
    await contactsOf(owner, others);
    const fitting = others.slice(0, limit - 1);
    const extra = others[limit - 1] as string;
    const group = await createGroup(owner, 'Full house', fitting.slice(0, 98));
    for (const batch of chunks(fitting.slice(98), 98)) await addMembers(owner, group.id, batch);

    const attempt = addMembers(owner, group.id, [extra]);

    await expect(attempt).rejects.toBeInstanceOf(ConflictError);
    await expect(attempt).rejects.toMatchObject({ errors: [expect.objectContaining({ field: 'userIds' })] });
    expect(await counts(group.id)).toEqual({ memberCount: limit, memberItems: limit });
  }, 180_000);

  it('lets only one of two concurrent additions through when together they would pass the limit', async () => {
    const limit = config.maxGroupMembers;
    const [owner, ...others] = (await createUsers(limit + 40)) as [string, ...string[]];
    await contactsOf(owner, others);
    const group = await createGroup(owner, 'Nearly full', others.slice(0, 98));
    for (const batch of chunks(others.slice(98, limit - 60), 98)) await addMembers(owner, group.id, batch);
    const before = await counts(group.id);
    const first = others.slice(limit - 60, limit - 10);
    const second = others.slice(limit - 10, limit + 39);

    const results = await Promise.allSettled([
      addMembers(owner, group.id, first),
      addMembers(owner, group.id, second),
    ]);

    expect(before.memberCount).toBe(limit - 59);
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = results.find((result) => result.status === 'rejected');
    expect((rejected as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    const after = await counts(group.id);
    expect(after.memberCount).toBe(after.memberItems);
    expect(after.memberCount).toBeLessThanOrEqual(limit);
    expect([before.memberCount + first.length, before.memberCount + second.length]).toContain(
      after.memberCount,
    );
  }, 180_000);
});

describe('membership changes', () => {
  it('keeps memberCount equal to the membership items through concurrent additions and departures', async () => {
    const [owner, ...others] = (await createUsers(31)) as [string, ...string[]];
    await contactsOf(owner, others);
    const initial = others.slice(0, 10);
    const group = await createGroup(owner, 'Busy', initial);

    await Promise.allSettled([
      ...others.slice(10).map((userId) => addMembers(owner, group.id, [userId])),
      ...initial.map((userId) => removeMember(userId, group.id, userId)),
    ]);

    const after = await counts(group.id);
    expect(after.memberCount).toBe(after.memberItems);
  }, 180_000);

  it('answers a rename by an admin demoted between the read and the write with a conflict, and keeps the name', async () => {
    const [owner, admin] = (await createUsers(2)) as [string, string];
    await contactsOf(owner, [admin]);
    const group = await createGroup(owner, 'Before', [admin]);
    await changeRole(owner, group.id, admin, 'admin');
    // The demotion commits just before the rename's transaction: the race, made deterministic.
    const send = dynamo.send.bind(dynamo);
    vi.spyOn(dynamo, 'send').mockImplementation((async (command: unknown) => {
      if (command instanceof TransactWriteCommand) {
        vi.mocked(dynamo.send).mockRestore();
        await send(
          new UpdateCommand({
            TableName: tableName,
            Key: memberKey(group.id, admin),
            UpdateExpression: 'SET #role = :member',
            ExpressionAttributeNames: { '#role': 'role' },
            ExpressionAttributeValues: { ':member': 'member' },
          }),
        );
      }
      return send(command as never);
    }) as typeof dynamo.send);

    await expect(rename(admin, group.id, 'After')).rejects.toBeInstanceOf(ConflictError);
    expect((await getConversation(group.id))?.name).toBe('Before');
  });

  it('refuses with a conflict an addition of someone who, between its checks and its write, was added and left', async () => {
    const [owner, admin, carol] = (await createUsers(3)) as [string, string, string];
    await contactsOf(owner, [admin, carol]);
    await contactsOf(admin, [carol]);
    const group = await createGroup(owner, 'Left', [admin]);
    await changeRole(owner, group.id, admin, 'admin');
    // The admin's checks find no left marker; the owner adds Carol and she leaves just before the admin's
    // transaction: her membership is gone again, so only the conversation's own change can refuse it.
    const send = dynamo.send.bind(dynamo);
    vi.spyOn(dynamo, 'send').mockImplementation((async (command: unknown) => {
      if (command instanceof TransactWriteCommand) {
        vi.mocked(dynamo.send).mockRestore();
        await addMembers(owner, group.id, [carol]);
        await removeMember(carol, group.id, carol);
      }
      return send(command as never);
    }) as typeof dynamo.send);

    await expect(addMembers(admin, group.id, [carol])).rejects.toBeInstanceOf(ConflictError);
    expect((await queryMembers(group.id)).members.map((member) => member.userId).sort()).toEqual(
      [owner, admin].sort(),
    );
  });

  it('looks up each user once when a request names the same user twice', async () => {
    const [owner, bob, carol] = (await createUsers(3)) as [string, string, string];
    await contactsOf(owner, [bob, carol]);

    const group = await createGroup(owner, 'Twice', [bob, bob, owner]);
    const grown = await addMembers(owner, group.id, [carol, carol, bob]);

    expect(group.memberCount).toBe(2);
    expect(grown.memberCount).toBe(3);
    expect(await counts(group.id)).toEqual({ memberCount: 3, memberItems: 3 });
  });

  it("names unknown ids by their position in the request, skipping the creator's own id", async () => {
    const [owner, bob] = (await createUsers(2)) as [string, string];

    const attempt = createGroup(owner, 'Unknowns', [owner, bob, 'ghost', owner, 'ghost']);

    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toMatchObject({
      errors: [
        { field: 'memberIds.2', message: expect.any(String) },
        { field: 'memberIds.4', message: expect.any(String) },
      ],
    });
  });
});

describe('read markers', () => {
  it("refuses a message of another conversation even when the reader's marker is already past its id", async () => {
    const [alice, bob, carol] = (await createUsers(3)) as [string, string, string];
    const other = (await createDirect(alice, carol)).details.id;
    const foreign = await send(alice, other, text('elsewhere'));
    const conversationId = (await createDirect(alice, bob)).details.id;
    const latest = await send(alice, conversationId, text('here'));
    await tryMoveReadMarker(conversationId, bob, latest.message.id, new Date().toISOString());

    const outcome = (
      await tryMoveReadMarker(conversationId, bob, foreign.message.id, new Date().toISOString())
    ).outcome;

    expect(outcome).toBe('no-message');
  });

  it('reports a marker that is already past the message, and a caller who is not a member', async () => {
    const [alice, bob, carol] = (await createUsers(3)) as [string, string, string];
    const conversationId = (await createDirect(alice, bob)).details.id;
    const older = await send(alice, conversationId, text('older'));
    const newer = await send(alice, conversationId, text('newer'));
    await tryMoveReadMarker(conversationId, bob, newer.message.id, new Date().toISOString());

    const backwards = (
      await tryMoveReadMarker(conversationId, bob, older.message.id, new Date().toISOString())
    ).outcome;
    const outsider = (
      await tryMoveReadMarker(conversationId, carol, older.message.id, new Date().toISOString())
    ).outcome;

    expect(backwards).toBe('not-forward');
    expect(outsider).toBe('not-member');
  });

  it('counts unread messages from one page of at most 100 messages, however many follow the marker', async () => {
    const [alice, bob] = (await createUsers(2)) as [string, string];
    const conversationId = (await createDirect(alice, bob)).details.id;
    const sent: string[] = [];
    for (const batch of chunks(
      Array.from({ length: 105 }, (_, i) => i),
      15,
    )) {
      sent.push(
        ...(await Promise.all(batch.map((i) => send(alice, conversationId, text(`message ${i}`))))).map(
          (result) => result.message.id,
        ),
      );
    }
    const ids = sent.sort();
    const newest = ids.at(-1) as string;

    expect(await countUnreadBetween(conversationId, bob, null, newest)).toEqual({ unread: 100, mentions: 0 });
    expect(await countUnreadBetween(conversationId, bob, ids[99] as string, newest)).toEqual({
      unread: 5,
      mentions: 0,
    });
    expect(await countUnreadBetween(conversationId, alice, null, newest)).toEqual({ unread: 0, mentions: 0 });
  }, 180_000);
});
