/** Starts DynamoDB Local (in memory) and s3rver once for the whole test run. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, startS3Local } from '../../local/services';
import { ensureSigningKeyFile, LOCAL_MEDIA_BUCKET } from '../../local/stack';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    s3Endpoint: string;
    signingKeyFile: string;
  }
}

export default async function setup(project: TestProject) {
  const workDir = await mkdtemp(join(tmpdir(), 'chat-tests-'));
  const [dynamo, s3, signingKeyFile] = await Promise.all([
    startDynamoDbLocal(),
    startS3Local(join(workDir, 's3'), [LOCAL_MEDIA_BUCKET]),
    ensureSigningKeyFile(workDir),
  ]);
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('s3Endpoint', s3.endpoint);
  project.provide('signingKeyFile', signingKeyFile);
  return async () => {
    await Promise.all([dynamo.stop(), s3.stop()]);
    await rm(workDir, { recursive: true, force: true });
  };
}
