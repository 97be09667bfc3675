/**
 * Running it in production, as synthesized: nothing is dropped silently (the dead-letter queue and the retry
 * settings of the stream consumer and the upload check, the same values the local stand-ins apply).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEAD_LETTER_RETENTION_DAYS,
  mediaUploadedDelivery,
  tableStreamDelivery,
} from '../../functions/shared/async-delivery';
import { ChatStack } from '../../lib/chat-stack';
import { DEAD_LETTER_QUEUE_OUTPUT } from '../../scripts/redrive-aws';

type Resource = { Type: string; Properties: Record<string, any> };

let template: Template;
let resources: Record<string, Resource>;

beforeAll(() => {
  // No function bundling (`aws:cdk:bundling-stacks`): these tests read resources, not bundles.
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'cdk-')),
    context: { 'aws:cdk:bundling-stacks': [] },
  });
  const stack = new ChatStack(app, 'Test', { tableRemovalPolicy: RemovalPolicy.DESTROY });
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources;
});

const idOf = (type: string, prefix: string) => {
  const ids = Object.entries(resources)
    .filter(([id, resource]) => resource.Type === type && id.startsWith(prefix))
    .map(([id]) => id);
  expect(ids).toHaveLength(1);
  return ids[0] as string;
};

describe('dead letters', () => {
  it('keeps what still fails in one encrypted, TLS-only queue for 14 days, named by a stack output', () => {
    const queueId = idOf('AWS::SQS::Queue', 'DeadLettersQueue');
    expect(resources[queueId]?.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: DEAD_LETTER_RETENTION_DAYS * 24 * 3600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasOutput(DEAD_LETTER_QUEUE_OUTPUT, { Value: { Ref: queueId } });
  });

  it('gives the stream consumer bounded retries, a maximum record age, batch splitting and the queue', () => {
    const queueId = idOf('AWS::SQS::Queue', 'DeadLettersQueue');
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: tableStreamDelivery.retryAttempts,
      MaximumRecordAgeInSeconds: tableStreamDelivery.maxRecordAgeSeconds,
      ParallelizationFactor: tableStreamDelivery.parallelizationFactor,
      BatchSize: tableStreamDelivery.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
  });

  it("sends the upload check's failed asynchronous invocations to the queue after Lambda's retries", () => {
    const queueId = idOf('AWS::SQS::Queue', 'DeadLettersQueue');
    const functionId = idOf('AWS::Lambda::Function', 'MediaMediaUploadedFunction');
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functionId },
      MaximumRetryAttempts: mediaUploadedDelivery.retryAttempts,
      MaximumEventAgeInSeconds: mediaUploadedDelivery.maxEventAgeSeconds,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
  });

  it('lets only the stream consumer and the upload check send to the queue', () => {
    const queueId = idOf('AWS::SQS::Queue', 'DeadLettersQueue');
    const senders = Object.entries(resources)
      .filter(
        ([, resource]) =>
          resource.Type === 'AWS::IAM::Policy' &&
          JSON.stringify(resource.Properties.PolicyDocument).includes(`"${queueId}"`),
      )
      .map(([id]) => id)
      .sort();
    expect(senders).toEqual([
      expect.stringMatching(/^MediaMediaUploadedRole/),
      expect.stringMatching(/^StreamsTableStreamRole/),
    ]);
  });
});
