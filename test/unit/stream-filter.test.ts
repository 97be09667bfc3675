/**
 * The stream filter passes an account deletion's marker (each write runs the sweep's next step) and a data
 * export item, and still drops the other items of a user's partition.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { matchesStreamFilter } from '../../functions/streams/stream-filter';

const record = (eventName: 'INSERT' | 'MODIFY' | 'REMOVE', keys: { PK: string; SK: string }, image = {}) => ({
  eventName,
  dynamodb: {
    Keys: marshall(keys),
    ...(eventName === 'REMOVE'
      ? { OldImage: marshall({ ...keys, ...image }) }
      : { NewImage: marshall({ ...keys, ...image }) }),
  },
});

describe('the stream filter and leaving with your data', () => {
  it.each(['INSERT', 'MODIFY'] as const)('passes a deletion marker %s (a step of the sweep)', (eventName) => {
    expect(
      matchesStreamFilter(
        record(eventName, { PK: 'USER#u1', SK: 'DELETION' }, { status: 'sweeping', step: 3 }),
      ),
    ).toBe(true);
  });

  it('passes a data export item', () => {
    expect(
      matchesStreamFilter(record('INSERT', { PK: 'USER#u1', SK: 'EXPORT' }, { status: 'pending' })),
    ).toBe(true);
  });

  it("drops the user's other items: the feed head, a new session, a username claim", () => {
    expect(matchesStreamFilter(record('MODIFY', { PK: 'USER#u1', SK: 'FEED' }, { seq: 4 }))).toBe(false);
    expect(matchesStreamFilter(record('INSERT', { PK: 'USER#u1', SK: 'SESSION#s1' }))).toBe(false);
    expect(
      matchesStreamFilter(record('REMOVE', { PK: 'USERNAME#alice', SK: 'USERNAME' }, { userId: 'u1' })),
    ).toBe(false);
  });

  it('passes a profile written with the presence setting, and ended sessions and memberships (one pattern)', () => {
    expect(
      matchesStreamFilter(
        record('MODIFY', { PK: 'USER#u1', SK: 'PROFILE' }, { showPresence: false, presenceSetIn: 'single' }),
      ),
    ).toBe(true);
    expect(matchesStreamFilter(record('REMOVE', { PK: 'USER#u1', SK: 'SESSION#s1' }))).toBe(true);
    expect(matchesStreamFilter(record('REMOVE', { PK: 'CONV#c1', SK: 'MEMBER#u2' }))).toBe(true);
  });

  it('drops a profile update that neither set the presence setting nor replaced a picture', () => {
    expect(
      matchesStreamFilter(record('MODIFY', { PK: 'USER#u1', SK: 'PROFILE' }, { displayName: 'Alice' })),
    ).toBe(false);
  });
});
