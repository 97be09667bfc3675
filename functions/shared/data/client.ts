/** The one DynamoDB document client, created once per execution environment. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { config } from '../config';
import { cancellationCodes } from './cancellation';

export { cancellationCodes };

export const tableName = config.tableName;

const documentClient = (region?: string) =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient({
      ...(config.dynamoEndpoint ? { endpoint: config.dynamoEndpoint } : {}),
      ...(region ? { region } : {}),
      maxAttempts: 3,
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );

export const dynamo = documentClient();

/**
 * The home region's replica, for the writes that must be decided in one place: a username claim, a refresh
 * token's single use (docs/global.md, "Pinned to the home region"). The same client outside multi-region.
 * Pure, so the bundles of functions that never write there leave it out.
 */
export const homeDynamo = /* @__PURE__ */ (() =>
  config.homeRegion ? documentClient(config.homeRegion) : dynamo)();

/**
 * The item a cancelled transaction returned for its `index`th action (`ReturnValuesOnConditionCheckFailure:
 * 'ALL_OLD'`), as plain values: errors carry raw AttributeValues (the document client unmarshalls responses,
 * not errors). Undefined when that action passed or its item did not exist.
 */
export function cancelledItem(error: unknown, index: number): Record<string, unknown> | undefined {
  const reasons = (error as { CancellationReasons?: { Item?: Parameters<typeof unmarshall>[0] }[] })
    .CancellationReasons;
  const item = reasons?.[index]?.Item;
  return item ? unmarshall(item) : undefined;
}

export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** A transaction cancelled only because another touched the same items at the same moment: a retry may pass. */
export function isConflictOnly(codes: readonly string[] | undefined): boolean {
  return Boolean(codes?.includes('TransactionConflict') && !codes.includes('ConditionalCheckFailed'));
}

/** The wait before retry number `attempt` (from 1) of a conflicting transaction: doubling, with jitter. */
export const conflictBackoff = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt + Math.random() * 20));

/**
 * Runs a transaction, retrying when DynamoDB cancels it only because another transaction touched the same
 * items at the same moment (`TransactionConflict`). Retrying turns a lost race into its real outcome, e.g. a
 * `ConditionalCheckFailed` when the other transaction claimed the same username.
 */
export async function transactWrite(
  input: TransactWriteCommandInput,
  attempts = 4,
  client: DynamoDBDocumentClient = dynamo,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.send(new TransactWriteCommand(input));
      return;
    } catch (error) {
      if (!isConflictOnly(cancellationCodes(error)) || attempt >= attempts) throw error;
      await conflictBackoff(attempt);
    }
  }
}
