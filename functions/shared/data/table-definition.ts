/**
 * The single table's shape: the one source of truth read by the CDK stack (`lib/`), the local table setup
 * (`local/`) and the data-access code. Plain data, no AWS imports, so every side can read it.
 */
export const tableDefinition = {
  partitionKey: 'PK',
  sortKey: 'SK',
  globalSecondaryIndexes: [
    /** Per-user listings (a user's conversations, newest activity first). */
    { indexName: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
  ],
  /** Epoch seconds; DynamoDB deletes the item some time after it passes (refresh tokens, connections). */
  timeToLiveAttribute: 'expiresAt',
  /** Real-time delivery and the inbox fan-out read both images of each change. */
  streamViewType: 'NEW_AND_OLD_IMAGES',
} as const;

export type TableDefinition = typeof tableDefinition;
