/**
 * Running it in production, as synthesized: nothing is dropped silently (the dead-letter queue and the retry
 * settings of the stream consumer and the upload check, the same values the local stand-ins apply), alarms
 * and their topic, the dashboard, and the stage settings (stages/*.json) reaching the resources.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEAD_LETTER_RETENTION_DAYS,
  mediaUploadedDelivery,
  tableStreamDelivery,
} from '../../functions/shared/async-delivery';
import { metricUnits } from '../../functions/shared/metrics/definitions';
import { routes } from '../../functions/shared/routes';
import { webSocketRoutes } from '../../functions/shared/ws-routes';
import { buildChatApp } from '../../lib/chat-app';
import { DEAD_LETTER_QUEUE_OUTPUT } from '../../scripts/redrive-aws';
import { resourcesWithNested } from '../support/templates';

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };

/** The app for a stage, synthesized without bundling functions (`aws:cdk:bundling-stacks`): fast. */
function synthesize(context: Record<string, unknown>) {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'cdk-')),
    context: { 'aws:cdk:bundling-stacks': [], ...context },
  });
  const { stacks } = buildChatApp(app);
  const [stack] = stacks;
  if (!stack) throw new Error('no stack');
  const template = Template.fromStack(stack);
  // Alarms, their topic and the dashboard are in a nested stack of their own (lib/chat-stack.ts).
  const observability = Template.fromStack(stack.observability);
  return {
    template,
    observability,
    resources: resourcesWithNested<Resource>(stack),
  };
}

let template: Template;
let observability: Template;
let resources: Record<string, Resource>;

beforeAll(() => {
  ({ template, observability, resources } = synthesize({ stage: 'prod', alarmEmail: 'oncall@example.com' }));
});

const idsOf = (type: string, prefix = '') =>
  Object.entries(resources)
    .filter(([id, resource]) => resource.Type === type && id.startsWith(prefix))
    .map(([id]) => id);

const idOf = (type: string, prefix: string) => {
  const ids = idsOf(type, prefix);
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

describe('alarms', () => {
  const alarm = (idPrefix: string) => resources[idOf('AWS::CloudWatch::Alarm', `Monitoring${idPrefix}`)];
  const topicId = () => idOf('AWS::SNS::Topic', 'MonitoringAlarmTopic');

  it('emails the alarm topic from -c alarmEmail, over TLS only', () => {
    observability.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
      TopicArn: { Ref: topicId() },
    });
    observability.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('tells the topic when any alarm fires and when it clears, and links each to its runbook', () => {
    const alarms = idsOf('AWS::CloudWatch::Alarm').map((id) => resources[id]?.Properties);
    expect(alarms.length).toBeGreaterThan(0);
    for (const properties of alarms) {
      expect(properties?.AlarmActions).toEqual([{ Ref: topicId() }]);
      expect(properties?.OKActions).toEqual([{ Ref: topicId() }]);
      expect(properties?.AlarmDescription).toMatch(/docs\/operations\.md#/);
    }
  });

  it('alarms on the HTTP 5xx rate: above 1% of requests, in 2 of 3 five-minute periods', () => {
    const properties = alarm('Http5xxRate')?.Properties;
    expect(properties).toMatchObject({ Threshold: 1, EvaluationPeriods: 3, DatapointsToAlarm: 2 });
    const metricNames = JSON.stringify(properties?.Metrics);
    expect(metricNames).toContain('"MetricName":"5xx"');
    expect(metricNames).toContain('"MetricName":"Count"');
  });

  it('alarms on errors and on throttles of every function, one pair per route and per background function', () => {
    const names = [
      ...routes.map((route) => `Http${route.name}`),
      ...webSocketRoutes.map((route) => `Ws${route.name}`),
      'TableStream',
      'MediaUploaded',
    ].map((name) => name.replaceAll('-', '').toLowerCase());
    const alarmIds = idsOf('AWS::CloudWatch::Alarm', 'Monitoring').map((id) => id.toLowerCase());
    for (const name of names) {
      expect(alarmIds.some((id) => id.startsWith(`monitoring${name}errors`))).toBe(true);
      expect(alarmIds.some((id) => id.startsWith(`monitoring${name}throttles`))).toBe(true);
    }
  });

  it('alarms on stream lag, dead letters, DynamoDB throttling and WebSocket errors', () => {
    expect(alarm('StreamIteratorAge')?.Properties).toMatchObject({
      MetricName: 'IteratorAge',
      Statistic: 'Maximum',
      Threshold: 60_000,
    });
    expect(alarm('DeadLetters')?.Properties).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
      EvaluationPeriods: 1,
    });
    expect(JSON.stringify(alarm('TableThrottles')?.Properties.Metrics)).toContain('ThrottledRequests');
    const webSocket = JSON.stringify(alarm('WebSocketErrors')?.Properties.Metrics);
    expect(webSocket).toContain('IntegrationError');
    expect(webSocket).toContain('ExecutionError');
  });
});

describe('the dashboard', () => {
  const body = () => {
    const [id] = idsOf('AWS::CloudWatch::Dashboard');
    return JSON.stringify(resources[id ?? '']?.Properties.DashboardBody);
  };

  it('shows the golden signals of every route, by route', () => {
    const dashboard = body();
    for (const route of routes) {
      const label = route.name.replace(/(^|-)([a-z0-9])/g, (_, __, letter: string) => letter.toUpperCase());
      expect(dashboard).toContain(`\\"label\\":\\"${label}\\"`);
    }
    expect(dashboard).toContain('stats count(*) as requests');
  });

  it('shows every business metric of the stage', () => {
    const dashboard = body();
    for (const name of Object.keys(metricUnits)) expect(dashboard).toContain(name);
    expect(dashboard).toContain('\\"stage\\",\\"prod\\"');
  });
});

describe('stages', () => {
  it("applies the stage's settings: retained data, log retention, throttling, STAGE on every function", () => {
    for (const id of idsOf('AWS::DynamoDB::GlobalTable'))
      expect(resources[id]?.DeletionPolicy).toBe('Retain');
    for (const id of idsOf('AWS::Logs::LogGroup')) expect(resources[id]?.Properties.RetentionInDays).toBe(90);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 },
    });
    const ours = idsOf('AWS::Lambda::Function').filter(
      (id) => resources[id]?.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME,
    );
    expect(ours.length).toBeGreaterThan(routes.length);
    for (const id of ours) expect(resources[id]?.Properties.Environment.Variables.STAGE).toBe('prod');
  });

  it('destroys data with the stack only in the stage named dev', () => {
    const dev = synthesize({ stage: 'dev' });
    for (const id of Object.keys(dev.resources).filter(
      (key) => dev.resources[key]?.Type === 'AWS::DynamoDB::GlobalTable',
    ))
      expect(dev.resources[id]?.DeletionPolicy).toBe('Delete');
    const staging = synthesize({ stage: 'staging' });
    const tables = Object.values(staging.resources).filter((r) => r.Type === 'AWS::DynamoDB::GlobalTable');
    expect(tables.map((table) => table.DeletionPolicy)).toEqual(['Retain']);
  });

  it('creates the account-wide API Gateway logging role only when asked to', () => {
    expect(idsOf('AWS::ApiGateway::Account')).toEqual([]);
    const withRole = synthesize({ stage: 'dev', createApiGatewayLoggingRole: 'true' });
    expect(
      Object.values(withRole.resources).filter((r) => r.Type === 'AWS::ApiGateway::Account'),
    ).toHaveLength(1);
  });

  it("takes the web app's CORS origins and the token key generation from the stage, or from -c context", () => {
    const corsOrigins = (synthesized: ReturnType<typeof synthesize>) =>
      Object.values(synthesized.resources)
        .filter((r) => r.Type === 'AWS::ApiGatewayV2::Api' && r.Properties.ProtocolType === 'HTTP')
        .map((api) => api.Properties.CorsConfiguration.AllowOrigins);
    const generation = (synthesized: ReturnType<typeof synthesize>) =>
      Object.values(synthesized.resources)
        .filter((r) => r.Type === 'AWS::CloudFormation::CustomResource' && 'Generation' in r.Properties)
        .map((keys) => keys.Properties.Generation);

    const overridden = synthesize({
      stage: 'dev',
      allowedOrigins: 'https://chat.example.com,http://localhost:5173',
      tokenKeyGeneration: '3',
    });

    // The web app's own origin (its CloudFront domain) always, then the configured ones.
    expect(corsOrigins(overridden)).toEqual([
      [
        {
          'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [expect.stringMatching(/^WebCdn/), 'DomainName'] }]],
        },
        'https://chat.example.com',
        'http://localhost:5173',
      ],
    ]);
    expect(generation(overridden)).toEqual(['3']);
    expect(corsOrigins({ template, observability, resources })[0]).toHaveLength(1);
    expect(generation({ template, observability, resources })).toEqual(['1']);
    expect(() => synthesize({ stage: 'dev', allowedOrigins: '*' })).toThrow(/allowedOrigins/);
  });

  it('refuses a stage without a settings file, naming the ones there are', () => {
    expect(() => synthesize({ stage: 'qa' })).toThrow(/Unknown stage "qa".*dev, prod, staging/);
  });
});
