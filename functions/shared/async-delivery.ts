/**
 * How asynchronous work is retried and where it goes when retries run out. One source of truth: the stack
 * (lib/constructs/stream-processor.ts, lib/constructs/media.ts) configures Lambda with these values, and the
 * local stand-ins (local/stream-poller.ts, the S3 event dispatch in local/stack.ts) behave the same way and
 * write to the local dead-letter store instead of the SQS dead-letter queue. See docs/operations.md.
 */

/**
 * The table stream's event source mapping. Up to 100 records a batch, handed over as soon as they are there
 * (no batching window: real-time delivery would wait for it); under load batches fill up, and the consumer's
 * work per record shrinks (one feed update per recipient and batch, one inbox update per member and
 * conversation and batch). Ten batches of a shard run at once: records of different conversations go to
 * different invocations, one conversation's records stay in order in one, so a 256-member group's fan-out
 * holds up nobody else's.
 */
export const tableStreamDelivery = {
  batchSize: 100,
  /** No batching window: a record is handed over as soon as it is read. */
  maxBatchingWindowMs: 0,
  /** Concurrent batches per shard (1-10); per partition key (a conversation) the order is kept. */
  parallelizationFactor: 10,
  /** Partial batch responses: Lambda retries from the earliest failed record, not the whole batch. */
  reportBatchItemFailures: true,
  /**
   * A batch that fails as a whole is split in two and each half retried (splitting costs no retry), until a
   * record that fails alone is isolated: only that record is dead-lettered.
   */
  bisectBatchOnFunctionError: true,
  /** Retries of a batch (after splitting) before its records go to the dead-letter queue. */
  retryAttempts: 5,
  /** A record still not processed after this long is dead-lettered without another try. */
  maxRecordAgeSeconds: 3600,
} as const;

/** The upload check, invoked asynchronously by S3 event notifications. */
export const mediaUploadedDelivery = {
  /** Lambda's own retries of a failed asynchronous invocation (0-2). */
  retryAttempts: 2,
  /** An event not processed after this long goes to the dead-letter queue (60 s to 6 h). */
  maxEventAgeSeconds: 6 * 3600,
} as const;

/** The dead-letter queue keeps what it receives this long (the SQS maximum). */
export const DEAD_LETTER_RETENTION_DAYS = 14;
