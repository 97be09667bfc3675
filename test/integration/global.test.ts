/**
 * Multi-region correctness against a real table (docs/global.md): a write replicated from another region
 * reaches this region's stream too; this region then delivers it to its own connections but leaves the
 * once-per-write projections (inbox fan-out, preview) to the region that wrote it. The "replicated" record is
 * built by hand: DynamoDB Local has no global tables.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { ulid } from 'ulid';
import { describe, expect, it, vi } from 'vitest';
import { readConfig } from '../../functions/shared/config';
import { dynamo, homeDynamo, tableName } from '../../functions/shared/data/client';
import { getHead } from '../../functions/shared/data/feed-store';
import {
  conversationKey,
  feedHeadKey,
  inboxKey,
  memberKey,
  messageKey,
  userKey,
} from '../../functions/shared/data/keys';
import { connectedHere, writtenHere } from '../../functions/shared/data/origin';
import { changeRole, createDirect, createGroup, rename } from '../../functions/shared/domain/conversations';
import { edit, markRead, send } from '../../functions/shared/domain/messages';
import type { ConnectionSender } from '../../functions/shared/realtime/connection-sender';
import { postToConnections } from '../../functions/shared/realtime/delivery';
import { handler } from '../../functions/streams/table-stream';
import { openAndRegister } from '../support/connections';

const here = process.env.AWS_REGION ?? '';
const elsewhere = here === 'eu-west-1' ? 'us-east-1' : 'eu-west-1';

async function createUser(): Promise<string> {
  const id = ulid();
  const now = new Date().toISOString();
  await dynamo.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...userKey(id),
        id,
        username: `g${id.toLowerCase()}`,
        displayName: id,
        createdAt: now,
        updatedAt: now,
      },
    }),
  );
  return id;
}

function messageRecord(conversationId: string, senderId: string, writtenIn: string): DynamoDBRecord {
  const id = ulid();
  const item = {
    ...messageKey(conversationId, id),
    id,
    conversationId,
    senderId,
    content: { type: 'text', text: 'hello from afar' },
    createdAt: new Date().toISOString(),
    writtenIn,
  };
  return {
    eventID: id,
    eventName: 'INSERT',
    dynamodb: {
      Keys: marshall({ PK: item.PK, SK: item.SK }) as never,
      NewImage: marshall(item) as never,
      SequenceNumber: '1',
    },
  };
}

const recorder: ConnectionSender & { posts: string[] } = {
  posts: [],
  async post(connectionId) {
    this.posts.push(connectionId);
    return 'sent';
  },
  async close() {},
};

const inboxPosition = async (conversationId: string, userId: string) =>
  (await dynamo.send(new GetCommand({ TableName: tableName, Key: inboxKey(conversationId, userId) }))).Item
    ?.GSI1SK;

describe('a global table replica', () => {
  it('stamps the messages this region writes (sends, edits, deletions) and the connections it holds', async () => {
    const [sender, reader] = [await createUser(), await createUser()];
    const { details } = await createDirect(sender, reader);
    const connectionId = `${ulid()}=`;
    await openAndRegister(
      connectionId,
      { userId: reader, tokenExpiresAt: Date.now() + 3600_000 },
      { sender: recorder },
      new Date(),
    );

    const { message } = await send(sender, details.id, { content: { type: 'text', text: 'stamped' } });
    const stored = async () =>
      (await dynamo.send(new GetCommand({ TableName: tableName, Key: messageKey(details.id, message.id) })))
        .Item;
    expect((await stored())?.writtenIn).toBe(here);
    await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: messageKey(details.id, message.id),
        UpdateExpression: 'SET writtenIn = :elsewhere',
        ExpressionAttributeValues: { ':elsewhere': elsewhere },
      }),
    );
    await edit(sender, details.id, message.id, 'edited here');
    expect((await stored())?.writtenIn).toBe(here);
    expect((await getHead(reader)).connections).toEqual([
      expect.objectContaining({ connectionId, region: here }),
    ]);
  });

  it('stamps memberships and conversations on every write that is an event (joins, read markers, roles, renames)', async () => {
    const [owner, member] = [await createUser(), await createUser()];
    await createDirect(owner, member); // a contact (issue 8)
    const { id } = await createGroup(owner, 'Stamped', [member]);
    const item = async (key: Record<string, string>) =>
      (await dynamo.send(new GetCommand({ TableName: tableName, Key: key }))).Item;
    const restamp = (key: Record<string, string>) =>
      dynamo.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: 'SET writtenIn = :elsewhere',
          ExpressionAttributeValues: { ':elsewhere': elsewhere },
        }),
      );
    expect((await item(conversationKey(id)))?.writtenIn).toBe(here);
    expect((await item(memberKey(id, member)))?.writtenIn).toBe(here);

    // Each write stamps the item again with this region, whatever region wrote it last.
    await restamp(conversationKey(id));
    await rename(owner, id, 'Renamed here');
    expect((await item(conversationKey(id)))?.writtenIn).toBe(here);
    await restamp(memberKey(id, member));
    await changeRole(owner, id, member, 'admin');
    expect((await item(memberKey(id, member)))?.writtenIn).toBe(here);
    const { message } = await send(owner, id, { content: { type: 'text', text: 'to read' } });
    await restamp(memberKey(id, member));
    await markRead(member, id, message.id);
    expect((await item(memberKey(id, member)))?.writtenIn).toBe(here);
  });

  it('runs once-per-write work only for writes of this region, and for items without a stamp', () => {
    expect(writtenHere({ writtenIn: 'us-east-1' }, 'us-east-1')).toBe(true);
    expect(writtenHere({ writtenIn: 'eu-west-1' }, 'us-east-1')).toBe(false);
    expect(writtenHere({ id: 'written before stamps' }, 'us-east-1')).toBe(true);
    expect(connectedHere({ region: 'eu-west-1' }, 'ap-southeast-1')).toBe(false);
    expect(connectedHere({ connectionId: 'no region' }, 'ap-southeast-1')).toBe(true);
  });

  it('leaves the inbox fan-out of a replicated message to the region that wrote it', async () => {
    const [sender, reader] = [await createUser(), await createUser()];
    const { details } = await createDirect(sender, reader);
    const before = await inboxPosition(details.id, reader);
    const replicated = messageRecord(details.id, sender, elsewhere);
    const local = messageRecord(details.id, sender, here);

    expect((await handler({ Records: [replicated] })).batchItemFailures).toEqual([]);
    expect(await inboxPosition(details.id, reader)).toBe(before);

    await handler({ Records: [local] });
    expect(await inboxPosition(details.id, reader)).toBe(`ACT#${local.dynamodb?.Keys?.SK?.S?.slice(4)}`);
  });

  it("posts only to the connections this region's WebSocket API holds", async () => {
    const user = await createUser();
    const ours = `${ulid()}=`;
    const theirs = `${ulid()}=`;
    await openAndRegister(
      ours,
      { userId: user, tokenExpiresAt: Date.now() + 3600_000 },
      { sender: recorder },
      new Date(),
    );
    await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: feedHeadKey(user),
        UpdateExpression: 'SET #connection = :info',
        ExpressionAttributeNames: { '#connection': `C#${theirs}` },
        ExpressionAttributeValues: {
          ':info': { connectedAt: Date.now(), tokenExpiresAt: Date.now() + 3600_000, region: elsewhere },
        },
      }),
    );
    recorder.posts.length = 0;

    await postToConnections(await getHead(user), ['{"type":"x"}'], recorder);

    expect(recorder.posts).toEqual([ours]);
  });

  it('pins username claims and refresh tokens to the home region only where there is another one', () => {
    const base = { TABLE_NAME: 't' };
    expect(readConfig({ ...base, AWS_REGION: 'eu-west-1', HOME_REGION: 'us-east-1' }).homeRegion).toBe(
      'us-east-1',
    );
    expect(
      readConfig({ ...base, AWS_REGION: 'us-east-1', HOME_REGION: 'us-east-1' }).homeRegion,
    ).toBeUndefined();
    expect(readConfig({ ...base, AWS_REGION: 'us-east-1' }).homeRegion).toBeUndefined();
    // One region (as here): the home client is the one client.
    expect(homeDynamo).toBe(dynamo);
  });

  it('decides membership changes in the home replica, where their conditions across items hold once', async () => {
    const [owner, member] = [await createUser(), await createUser()];
    await createDirect(owner, member);
    const group = await createGroup(owner, 'Pinned', [member]);
    // A function in another region: its own replica for reads, the home replica for membership changes.
    vi.stubEnv('HOME_REGION', elsewhere);
    vi.resetModules();
    try {
      const client = await import('../../functions/shared/data/client');
      const conversations = await import('../../functions/shared/domain/conversations');
      expect(client.homeDynamo).not.toBe(client.dynamo);
      const home = vi.spyOn(client.homeDynamo, 'send');
      const local = vi.spyOn(client.dynamo, 'send');

      await conversations.rename(owner, group.id, 'Renamed at home');

      const names = (calls: { constructor: { name: string } }[][]) =>
        calls.map(([command]) => command?.constructor.name);
      expect(names(home.mock.calls)).toEqual(['TransactWriteCommand']);
      expect(names(local.mock.calls)).not.toContain('TransactWriteCommand');
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });
});
