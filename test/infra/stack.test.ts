/**
 * The synthesized template against its sources of truth: the route table, the table definition and the
 * least-privilege rules; plus the cdk-nag AwsSolutions pack over the whole app.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { tableDefinition } from '../../functions/shared/data/table-definition';
import { routeKeys } from '../../functions/shared/route-definition';
import { routes } from '../../functions/shared/routes';
import { ChatStack } from '../../lib/chat-stack';
import { functionIdFor } from '../../lib/constructs/http-api';

type Resource = { Type: string; Properties: Record<string, any>; Metadata?: Record<string, unknown> };

let template: Template;
let resources: Record<string, Resource>;
let synthError: unknown;

/** The logical id of the function construct for a route (`Http<FunctionId>Function...`). */
const resourcesOf = (type: string, idPrefix: string) =>
  Object.entries(resources).filter(([id, resource]) => resource.Type === type && id.startsWith(idPrefix));

beforeAll(() => {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'cdk-')) });
  const stack = new ChatStack(app, 'Test', { tableRemovalPolicy: RemovalPolicy.DESTROY });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  try {
    app.synth();
  } catch (error) {
    synthError = error;
  }
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources;
});

describe('cdk-nag', () => {
  it('finds nothing unacknowledged in the stack under the AwsSolutions pack', () => {
    expect(synthError).toBeUndefined();
  });

  it('does fail synthesis for a resource that breaks an AwsSolutions rule (the check is live)', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'cdk-')) });
    new s3.Bucket(new Stack(app, 'Bad'), 'UnloggedBucket');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
  });
});

describe('HTTP API routes', () => {
  it('has exactly the route keys of the route table, aliases included', () => {
    const deployed = Object.values(resources)
      .filter((resource) => resource.Type === 'AWS::ApiGatewayV2::Route')
      .map((resource) => resource.Properties.RouteKey as string)
      .sort();
    expect(deployed).toEqual(routes.flatMap(routeKeys).sort());
  });

  it.each(routes.map((route) => [route.name, route] as const))(
    'routes %s to a function whose entry file exists and exports `handler`',
    async (_name, route) => {
      const entry = join('functions', 'http', `${route.name}.ts`);
      expect(existsSync(entry)).toBe(true);
      process.env.TABLE_NAME ??= 'infra-test';
      const module = (await import(`../../${entry}`)) as { handler?: unknown };
      expect(typeof module.handler).toBe('function');

      const functions = resourcesOf('AWS::Lambda::Function', `Http${functionIdFor(route)}Function`);
      expect(functions).toHaveLength(1);
      const [, fn] = functions[0] as [string, Resource];
      expect(fn.Properties).toMatchObject({
        Handler: 'index.handler',
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
      });
    },
  );

  it('gives every function its own log group, JSON logs and source maps', () => {
    for (const route of routes) {
      const [[, fn] = []] = resourcesOf('AWS::Lambda::Function', `Http${functionIdFor(route)}Function`);
      expect(fn?.Properties.LoggingConfig).toMatchObject({
        LogFormat: 'JSON',
        LogGroup: { Ref: expect.stringMatching(/Logs/) },
      });
      expect(fn?.Properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
    }
  });
});

describe('IAM: least privilege per function', () => {
  /** The statements of the policies attached to the route's function's own role. */
  const policyStatementsOf = (route: (typeof routes)[number]) => {
    const [[, fn] = []] = resourcesOf('AWS::Lambda::Function', `Http${functionIdFor(route)}Function`);
    const roleId = fn?.Properties.Role['Fn::GetAtt'][0] as string;
    const policies = Object.values(resources).filter(
      (resource) =>
        resource.Type === 'AWS::IAM::Policy' &&
        (resource.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId),
    );
    expect(policies).toHaveLength(1);
    return (policies[0]?.Properties.PolicyDocument.Statement ?? []) as {
      Action: string | string[];
      Resource: unknown;
    }[];
  };
  const actionsOf = (statement: { Action: string | string[] }) =>
    Array.isArray(statement.Action) ? statement.Action : [statement.Action];

  it.each(routes.map((route) => [route.name, route] as const))(
    'grants %s exactly the table actions its route declares, and the signing key only if it declares it',
    (_name, route) => {
      const statements = policyStatementsOf(route);
      const dynamoActions = statements.flatMap(actionsOf).filter((action) => action.startsWith('dynamodb:'));
      expect(dynamoActions.sort()).toEqual([...route.access.table].sort());
      const secretActions = statements
        .flatMap(actionsOf)
        .filter((action) => action.startsWith('secretsmanager:'));
      if (route.access.signingKey) expect(secretActions).toContain('secretsmanager:GetSecretValue');
      else expect(secretActions).toEqual([]);
      expect(JSON.stringify(statements)).not.toMatch(
        /"dynamodb:\*"|"secretsmanager:\*"|"logs:CreateLogGroup"/,
      );
    },
  );

  it('only passes the signing key secret to functions that may read it', () => {
    for (const route of routes) {
      const [[, fn] = []] = resourcesOf('AWS::Lambda::Function', `Http${functionIdFor(route)}Function`);
      expect('TOKEN_SECRET_ARN' in (fn?.Properties.Environment.Variables ?? {})).toBe(
        route.access.signingKey,
      );
    }
  });

  it('never uses the AWS managed basic execution role', () => {
    expect(JSON.stringify(template.toJSON())).not.toContain('AWSLambdaBasicExecutionRole');
  });
});

describe('the stream processor', () => {
  it('reads the table stream with partial batch responses and only the records it acts on', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      StartingPosition: 'LATEST',
      FilterCriteria: {
        Filters: [{ Pattern: JSON.stringify({ dynamodb: { Keys: { SK: { S: [{ prefix: 'MSG#' }] } } } }) }],
      },
    });
  });

  it('may only query and update the table and read its stream', () => {
    const [[, fn] = []] = resourcesOf('AWS::Lambda::Function', 'StreamsTableStreamFunction');
    const roleId = fn?.Properties.Role['Fn::GetAtt'][0] as string;
    const policy = Object.values(resources).find(
      (resource) => resource.Type === 'AWS::IAM::Policy' && resource.Properties.Roles[0].Ref === roleId,
    );
    const actions = (policy?.Properties.PolicyDocument.Statement as { Action: string | string[] }[])
      .flatMap((statement) => statement.Action)
      .filter((action) => action.startsWith('dynamodb:'))
      .sort();
    expect(actions).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
  });
});

describe('the table', () => {
  it('matches the shared table definition: keys, GSIs, TTL, stream, on-demand, PITR', () => {
    const gsi = tableDefinition.globalSecondaryIndexes[0];
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' },
        { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: tableDefinition.timeToLiveAttribute, Enabled: true },
      StreamSpecification: { StreamViewType: tableDefinition.streamViewType },
      GlobalSecondaryIndexes: [
        {
          IndexName: gsi?.indexName,
          KeySchema: [
            { AttributeName: gsi?.partitionKey, KeyType: 'HASH' },
            { AttributeName: gsi?.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      Replicas: [
        Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ],
    });
  });

  it('keeps the signing key in a generated Secrets Manager secret, never in the template', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 64 }),
    });
    template.hasOutput('ApiUrl', {});
    template.hasOutput('TableName', {});
  });
});
