/**
 * The local stream poller's drain() fails clearly when a shard cannot be read, rather than waiting forever
 * (and the calling test timing out without saying why). DynamoDB Local cannot be made to fail GetRecords, so
 * the streams client's send is stubbed: an open shard whose every poll throws.
 */
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startStreamPoller } from '../../local/stream-poller';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('local stream poller drain()', () => {
  it('rejects naming the shard and its error when every poll of that shard fails', async () => {
    vi.useFakeTimers();
    vi.spyOn(DynamoDBStreamsClient.prototype, 'send').mockImplementation(async (command: unknown) => {
      if (command instanceof DescribeStreamCommand)
        return { StreamDescription: { Shards: [{ ShardId: 'shard-1', SequenceNumberRange: {} }] } };
      if (command instanceof GetShardIteratorCommand) return { ShardIterator: 'iterator-1' };
      throw new Error('GetRecords is down');
    });
    const poller = startStreamPoller({
      endpoint: 'http://127.0.0.1:1',
      region: 'local',
      streamArn: 'arn:aws:dynamodb:local:000000000000:table/t/stream/s',
      handler: async () => undefined,
    });

    await vi.advanceTimersByTimeAsync(100); // the shard found, its first poll failed

    const outcome = poller.drain().then(
      () => 'drained',
      (error: Error) => error.message,
    );
    await vi.advanceTimersByTimeAsync(11_000);

    expect(await outcome).toMatch(/shard shard-1 .*last error: GetRecords is down/);
    const stopped = poller.stop();
    await vi.advanceTimersByTimeAsync(2_000);
    await stopped;
  });
});
