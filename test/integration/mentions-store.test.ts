/**
 * Resolving mentions against a real (local) DynamoDB table, at a size slow to set up over HTTP: a group of more
 * than 100 members, whose members past the first page are found through their memberships (a second round trip).
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { dynamo, tableName } from '../../functions/shared/data/client';
import { memberKey, usernameKey } from '../../functions/shared/data/keys';
import { resolveMemberNames } from '../../functions/shared/data/mentions-store';

async function putAll(items: Record<string, unknown>[]) {
  for (let i = 0; i < items.length; i += 25) {
    await dynamo.send(
      new BatchWriteCommand({
        RequestItems: { [tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
  }
}

/** `count` username claims (no profile or password needed here); the names in order, with their ids. */
async function claims(prefix: string, count: number) {
  // Sorted: the i-th name has the i-th smallest id, so members' keys sort in name order.
  const ids = Array.from({ length: count }, () => ulid()).sort();
  const users = ids.map((id, i) => ({ name: `${prefix}${i}`, id }));
  await putAll(users.map((user) => ({ ...usernameKey(user.name), type: 'UsernameClaim', userId: user.id })));
  return users;
}

describe('resolveMemberNames', () => {
  it('finds members past the first page of a group of 130, and leaves non-members out', async () => {
    const conversationId = ulid();
    const members = await claims('member_', 130);
    const outsiders = await claims('outsider_', 2);
    await putAll(
      members.map((member) => ({
        ...memberKey(conversationId, member.id),
        type: 'Membership',
        conversationId,
        userId: member.id,
        role: 'member',
        joinedAt: new Date().toISOString(),
      })),
    );
    // The first Query page holds members 0-99: 120 and 129 are found through their memberships.
    const names = ['member_129', 'outsider_0', 'member_3', 'nobody_here', 'member_120', 'outsider_1'];

    const resolved = await resolveMemberNames(conversationId, names);

    expect(resolved).toEqual([members[129]?.id, members[3]?.id, members[120]?.id]);
    expect(resolved).not.toContain(outsiders[0]?.id);
  });

  it('resolves nothing in a conversation without members, and reads nothing for no names', async () => {
    const [user] = await claims('lonely_', 1);

    expect(await resolveMemberNames(ulid(), [user?.name ?? ''])).toEqual([]);
    expect(await resolveMemberNames(ulid(), [])).toEqual([]);
  });
});
