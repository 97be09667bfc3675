/**
 * Starts DynamoDB Local (in memory) once for the whole test run: the JVM takes seconds to start. Everything
 * else (s3rver, the gateway, the CDN emulation) is cheap and starts per test file, in the file's process.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../local/services';
import { ensureSigningKeyFile } from '../../local/stack';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    signingKeyFile: string;
  }
}

export default async function setup(project: TestProject) {
  const workDir = await mkdtemp(join(tmpdir(), 'chat-tests-'));
  const [dynamo, signingKeyFile] = await Promise.all([startDynamoDbLocal(), ensureSigningKeyFile(workDir)]);
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('signingKeyFile', signingKeyFile);
  return async () => {
    await dynamo.stop();
    await rm(workDir, { recursive: true, force: true });
  };
}
