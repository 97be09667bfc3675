/**
 * Starts DynamoDB Local (in memory) once for the whole test run: the JVM takes seconds to start. Everything
 * else (s3rver, the gateway, the CDN emulation) is cheap and starts per test file, in the file's process.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../local/services';
import { ensureTokenKeys, type LocalTokenKeys } from '../../local/stack';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    /** The token key set, generated for the run as `npm start` generates it into DATA_DIR/secrets. */
    tokenKeys: LocalTokenKeys;
  }
}

export default async function setup(project: TestProject) {
  const workDir = await mkdtemp(join(tmpdir(), 'chat-tests-'));
  const [dynamo, tokenKeys] = await Promise.all([startDynamoDbLocal(), ensureTokenKeys(workDir)]);
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('tokenKeys', tokenKeys);
  return async () => {
    await dynamo.stop();
    await rm(workDir, { recursive: true, force: true });
  };
}
