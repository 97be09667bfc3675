/** A throwaway local stack for a benchmark: in-memory DynamoDB Local, a fresh table, the API in this process. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { limitEnvironmentName } from '../functions/shared/limits/names';
import { limitsOf } from '../functions/shared/route-definition';
import { routes } from '../functions/shared/routes';
import { startDynamoDbLocal } from '../local/services';
import {
  applyFunctionEnvironment,
  ensureTokenKeys,
  type LocalApi,
  localDynamoClient,
  startApi,
} from '../local/stack';
import { ensureTable } from '../local/table';

export async function startBenchStack(tableName: string): Promise<LocalApi & { stopAll(): Promise<void> }> {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  const workDir = await mkdtemp(join(tmpdir(), 'chat-bench-'));
  const dynamo = await startDynamoDbLocal();
  const client = localDynamoClient(dynamo.endpoint);
  await ensureTable(client, tableName);
  client.destroy();
  applyFunctionEnvironment({
    tableName,
    dynamoEndpoint: dynamo.endpoint,
    tokenKeys: await ensureTokenKeys(workDir),
  });
  // Limits stay on, so every figure includes what a limited call costs (its counter write), but high enough
  // that the benchmark's own bursts are never refused.
  for (const limit of routes.flatMap(limitsOf)) {
    process.env[limitEnvironmentName(limit.name)] = `1000000000/${limit.windowSeconds}`;
  }
  const api = await startApi({ port: 0, dataDir: workDir });
  return {
    ...api,
    async stopAll() {
      await api.stop();
      await dynamo.stop();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}
