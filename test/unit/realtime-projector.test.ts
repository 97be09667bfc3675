/**
 * The real-time projector over stream records, with a fake sender and an in-memory directory: which changes
 * become which events for whom, and what a gone (410) or failing connection does to the record.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';

// Modules read configuration at load; this test reaches no table (the directory is in memory).
vi.hoisted(() => {
  process.env.TABLE_NAME ??= 'unit-test-table';
  delete process.env.WEBSOCKET_CALLBACK_URL;
});

import { createRealtimeProjector } from '../../functions/shared/projections/realtime';
import type { ConnectionSender, PostOutcome } from '../../functions/shared/realtime/connection-sender';
import type { Directory } from '../../functions/shared/realtime/delivery';

const CONVERSATION = 'conv-1';

function streamRecord(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  keys: { PK: string; SK: string },
  images: { next?: Record<string, unknown>; previous?: Record<string, unknown> },
): DynamoDBRecord {
  const image = (item: Record<string, unknown> | undefined) =>
    item ? (marshall({ ...keys, ...item }, { removeUndefinedValues: true }) as never) : undefined;
  return {
    eventID: `event-${Math.random()}`,
    eventName,
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys: marshall(keys) as never,
      NewImage: image(images.next),
      OldImage: image(images.previous),
      SequenceNumber: String(Date.now()),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

const messageItem = (id: string, extra: Record<string, unknown> = {}) => ({
  type: 'Message',
  id,
  conversationId: CONVERSATION,
  senderId: 'alice',
  content: { type: 'text', text: `text of ${id}` },
  createdAt: '2025-01-01T00:00:00.000Z',
  ...extra,
});
const messageKeys = (id: string) => ({ PK: `CONV#${CONVERSATION}`, SK: `MSG#${id}` });

const memberItem = (userId: string, extra: Record<string, unknown> = {}) => ({
  type: 'Member',
  conversationId: CONVERSATION,
  userId,
  role: 'member',
  joinedAt: '2025-01-01T00:00:00.000Z',
  GSI1PK: `INBOX#${userId}`,
  GSI1SK: 'ACT#01J000000000000000000000A0',
  ...extra,
});
const memberKeys = (userId: string) => ({ PK: `CONV#${CONVERSATION}`, SK: `MEMBER#${userId}` });

/** Members and connections in memory; records what it was asked to forget. */
function fakeDirectory(members: string[], connections: Record<string, string[]>) {
  const forgotten: string[] = [];
  const directory: Directory & { forgotten: string[]; memberReads: number } = {
    forgotten,
    memberReads: 0,
    async membersOf() {
      directory.memberReads += 1;
      return [...members];
    },
    async connectionsOf(userId) {
      return connections[userId] ?? [];
    },
    async forget(_userId, connectionId) {
      forgotten.push(connectionId);
    },
  };
  return directory;
}

/** Delivers to every connection, except those it is told are gone (410) or broken. */
function fakeSender(options: { gone?: string[]; broken?: string[] } = {}) {
  const posts: { connectionId: string; event: any }[] = [];
  const sender: ConnectionSender & { posts: typeof posts } = {
    posts,
    async post(connectionId, data): Promise<PostOutcome> {
      if (options.broken?.includes(connectionId))
        throw Object.assign(new Error('boom'), { name: 'InternalServerError' });
      if (options.gone?.includes(connectionId)) return 'gone';
      posts.push({ connectionId, event: JSON.parse(data) });
      return 'sent';
    },
  };
  return sender;
}

const receivers = (sender: ReturnType<typeof fakeSender>) =>
  sender.posts.map((post) => post.connectionId).sort();

describe('the realtime projector', () => {
  it('posts a new message to every connection of every member', async () => {
    const sender = fakeSender();
    const projector = createRealtimeProjector({
      sender,
      directory: fakeDirectory(['alice', 'bob'], { alice: ['a1'], bob: ['b1', 'b2'], eve: ['e1'] }),
    });

    await projector.project(streamRecord('INSERT', messageKeys('m1'), { next: messageItem('m1') }));

    expect(receivers(sender)).toEqual(['a1', 'b1', 'b2']);
    expect(sender.posts[0]?.event).toEqual({
      type: 'message.created',
      conversationId: CONVERSATION,
      message: {
        id: 'm1',
        conversationId: CONVERSATION,
        senderId: 'alice',
        content: { type: 'text', text: 'text of m1' },
        createdAt: '2025-01-01T00:00:00.000Z',
      },
    });
  });

  it('forgets a connection that is gone (410) and still delivers to the others', async () => {
    const sender = fakeSender({ gone: ['b1'] });
    const directory = fakeDirectory(['alice', 'bob'], { alice: ['a1'], bob: ['b1', 'b2'] });
    const projector = createRealtimeProjector({ sender, directory });

    await projector.project(streamRecord('INSERT', messageKeys('m1'), { next: messageItem('m1') }));
    await projector.project(streamRecord('INSERT', messageKeys('m2'), { next: messageItem('m2') }));

    expect(directory.forgotten).toEqual(['b1']);
    // The second message is not posted to the forgotten connection again.
    expect(receivers(sender)).toEqual(['a1', 'a1', 'b2', 'b2']);
  });

  it('does not fail the record when posting to one connection fails otherwise', async () => {
    const sender = fakeSender({ broken: ['a1'] });
    const directory = fakeDirectory(['alice', 'bob'], { alice: ['a1'], bob: ['b1'] });
    const projector = createRealtimeProjector({ sender, directory });

    await projector.project(streamRecord('INSERT', messageKeys('m1'), { next: messageItem('m1') }));

    expect(receivers(sender)).toEqual(['b1']);
    expect(directory.forgotten).toEqual([]);
  });

  it('fails the record when the members cannot be read', async () => {
    const directory = fakeDirectory(['alice'], { alice: ['a1'] });
    directory.membersOf = () =>
      Promise.reject(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    const projector = createRealtimeProjector({ sender: fakeSender(), directory });

    const projecting = projector.project(
      streamRecord('INSERT', messageKeys('m1'), { next: messageItem('m1') }),
    );

    await expect(projecting).rejects.toThrow('throttled');
  });

  it('turns an edit into message.updated and a tombstone into message.deleted; other changes into nothing', async () => {
    const sender = fakeSender();
    const projector = createRealtimeProjector({ sender, directory: fakeDirectory(['bob'], { bob: ['b1'] }) });
    const original = messageItem('m1');
    const edited = messageItem('m1', {
      content: { type: 'text', text: 'edited' },
      editedAt: '2025-01-01T00:01:00.000Z',
    });
    const deleted = {
      ...messageItem('m1', { deletedAt: '2025-01-01T00:02:00.000Z', deletedBy: 'alice' }),
      content: undefined,
    };

    await projector.project(streamRecord('MODIFY', messageKeys('m1'), { previous: original, next: edited }));
    await projector.project(streamRecord('MODIFY', messageKeys('m1'), { previous: edited, next: deleted }));
    await projector.project(streamRecord('MODIFY', messageKeys('m1'), { previous: deleted, next: deleted }));
    await projector.project(streamRecord('REMOVE', messageKeys('m1'), { previous: deleted }));

    expect(sender.posts.map((post) => post.event.type)).toEqual(['message.updated', 'message.deleted']);
    expect(sender.posts[1]?.event.message).toMatchObject({
      id: 'm1',
      content: null,
      deletedAt: '2025-01-01T00:02:00.000Z',
    });
  });

  it('turns a moved read marker into conversation.read, but not an inbox move or the marker a send moves', async () => {
    const sender = fakeSender();
    const directory = fakeDirectory(['alice', 'bob'], { alice: ['a1'] });
    const projector = createRealtimeProjector({ sender, directory });
    const before = memberItem('bob', { lastReadMessageId: '01J000000000000000000000A0' });
    const inboxMoved = { ...before, GSI1SK: 'ACT#01J000000000000000000000B0' };
    const read = {
      ...inboxMoved,
      lastReadMessageId: '01J000000000000000000000B0',
      lastReadAt: '2025-01-01T00:03:00.000Z',
    };
    const sent = {
      ...read,
      GSI1SK: 'ACT#01J000000000000000000000C0',
      lastReadMessageId: '01J000000000000000000000C0',
    };

    await projector.project(
      streamRecord('MODIFY', memberKeys('bob'), { previous: before, next: inboxMoved }),
    );
    await projector.project(streamRecord('MODIFY', memberKeys('bob'), { previous: inboxMoved, next: read }));
    await projector.project(streamRecord('MODIFY', memberKeys('bob'), { previous: read, next: sent }));

    expect(sender.posts.map((post) => post.event)).toEqual([
      {
        type: 'conversation.read',
        conversationId: CONVERSATION,
        userId: 'bob',
        lastReadMessageId: '01J000000000000000000000B0',
        lastReadAt: '2025-01-01T00:03:00.000Z',
      },
    ]);
    expect(directory.memberReads).toBe(1);
  });

  it('tells a removed member of the removal, from the old image, besides the remaining members', async () => {
    const sender = fakeSender();
    const projector = createRealtimeProjector({
      sender,
      directory: fakeDirectory(['alice'], { alice: ['a1'], carol: ['c1'] }),
    });

    await projector.project(streamRecord('REMOVE', memberKeys('carol'), { previous: memberItem('carol') }));

    expect(receivers(sender)).toEqual(['a1', 'c1']);
    expect(sender.posts[0]?.event).toEqual({
      type: 'member.removed',
      conversationId: CONVERSATION,
      userId: 'carol',
    });
  });

  it('keeps the members it remembers for the batch current with the membership changes in it', async () => {
    const sender = fakeSender();
    const members = ['alice', 'bob'];
    const directory = fakeDirectory(members, { alice: ['a1'], bob: ['b1'], carol: ['c1'] });
    const projector = createRealtimeProjector({ sender, directory });

    await projector.project(streamRecord('INSERT', messageKeys('m1'), { next: messageItem('m1') }));
    await projector.project(streamRecord('INSERT', memberKeys('carol'), { next: memberItem('carol') }));
    await projector.project(streamRecord('REMOVE', memberKeys('bob'), { previous: memberItem('bob') }));
    sender.posts.length = 0;
    await projector.project(streamRecord('INSERT', messageKeys('m2'), { next: messageItem('m2') }));

    expect(receivers(sender)).toEqual(['a1', 'c1']);
    expect(directory.memberReads).toBe(1);
  });

  it('ignores items of other types and other partitions', async () => {
    const sender = fakeSender();
    const projector = createRealtimeProjector({
      sender,
      directory: fakeDirectory(['alice'], { alice: ['a1'] }),
    });

    await projector.project(
      streamRecord('MODIFY', { PK: `CONV#${CONVERSATION}`, SK: 'META' }, { next: { name: 'x' } }),
    );
    await projector.project(
      streamRecord('INSERT', { PK: 'USER#alice', SK: 'CONN#abc' }, { next: { userId: 'alice' } }),
    );

    expect(sender.posts).toEqual([]);
  });

  it('delivers nothing, and reads nothing, when the function has no WebSocket API configured', async () => {
    const projector = createRealtimeProjector();

    await expect(
      projector.project(streamRecord('INSERT', messageKeys('m1'), { next: messageItem('m1') })),
    ).resolves.toBeUndefined();
  });
});
