/**
 * Runs before each integration/e2e test file: gives the file a table of its own and points the functions'
 * configuration at it, before any function module is imported (they read configuration at load).
 */
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { applyFunctionEnvironment, localDynamoClient } from '../../local/stack';
import { ensureTable } from '../../local/table';

const tableName = `test-${randomUUID()}`;
const dynamoEndpoint = inject('dynamoEndpoint');
applyFunctionEnvironment({ tableName, dynamoEndpoint, tokenKeys: inject('tokenKeys') });
// Limits are tested on their own (test/e2e/limits*.test.ts, which turn them on): elsewhere a test's bursts of
// calls would be refused.
process.env.RATE_LIMITS ??= 'off';

const client = localDynamoClient(dynamoEndpoint);
await ensureTable(client, tableName);
client.destroy();
