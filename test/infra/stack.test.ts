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
import { newTokenKeySet, publicJwks } from '../../functions/shared/auth/token-keys';
import { RATE_COUNTER_PREFIX } from '../../functions/shared/data/keys';
import { tableDefinition } from '../../functions/shared/data/table-definition';
import { EXPORTS_PREFIX, QUARANTINE_PREFIX, SERVED_PREFIXES } from '../../functions/shared/media/object-keys';
import { limitsOf, routeKeys } from '../../functions/shared/route-definition';
import { routes } from '../../functions/shared/routes';
import { STREAM_FILTER_PATTERNS } from '../../functions/streams/stream-filter';
import { provideBuildConstants } from '../../lib/bundling';
import { ChatStack } from '../../lib/chat-stack';
import { functionIdFor } from '../../lib/constructs/http-api';
import { TokenSigningKeys } from '../../lib/constructs/token-keys';
import { resourcesWithNested } from '../support/templates';

type Resource = {
  Type: string;
  Properties: Record<string, any>;
  Metadata?: Record<string, unknown>;
  DependsOn?: string[];
};

let template: Template;
let resources: Record<string, Resource>;
let synthError: unknown;

/** The logical id of the function construct for a route (`Http<FunctionId>Function...`). */
const resourcesOf = (type: string, idPrefix: string) =>
  Object.entries(resources).filter(([id, resource]) => resource.Type === type && id.startsWith(idPrefix));

/** The object part of an S3 resource ARN (`<bucket arn>/avatars/*` -> `avatars/*`). */
const objectPath = (resource: any): string =>
  typeof resource?.['Fn::Join']?.[1]?.at(-1) === 'string'
    ? resource['Fn::Join'][1].at(-1).replace(/^\//, '')
    : JSON.stringify(resource);

/** Every S3 grant in a role's policies as `<action> <object path>`, sorted. */
const s3GrantsOf = (roleId: string): string[] =>
  Object.values(resources)
    .filter(
      (resource) =>
        resource.Type === 'AWS::IAM::Policy' &&
        resource.Properties.Roles.some((role: { Ref?: string }) => role.Ref === roleId),
    )
    .flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[],
    )
    .flatMap((statement) =>
      [statement.Action]
        .flat()
        .filter((action): action is string => typeof action === 'string' && action.startsWith('s3:'))
        .flatMap((action) =>
          [statement.Resource].flat().map((resource) => `${action} ${objectPath(resource)}`),
        ),
    )
    .sort();

beforeAll(() => {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'cdk-')) });
  const stack = new ChatStack(app, 'Test', {
    tableRemovalPolicy: RemovalPolicy.DESTROY,
    allowedOrigins: ['https://chat.example.com'],
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  try {
    app.synth();
  } catch (error) {
    synthError = error;
  }
  template = Template.fromStack(stack);
  // The HTTP routes' functions, roles and log groups are in a nested stack (lib/constructs/http-api.ts), the
  // alarms in another: read as one map of resources (their logical ids do not collide).
  resources = resourcesWithNested(stack);
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
    // The WebSocket API's routes are checked against their own table (test/infra/websocket.test.ts).
    const deployed = Object.values(resources)
      .filter(
        (resource) =>
          resource.Type === 'AWS::ApiGatewayV2::Route' && resource.Properties.ApiId.Ref.startsWith('HttpApi'),
      )
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
      // Functions that verify tokens refuse to load without their public keys, as deployed.
      process.env.TOKEN_JWKS ??= JSON.stringify(publicJwks(newTokenKeySet(1)));
      provideBuildConstants(route.buildConstants ?? []);
      const module = (await import(`../../${entry}`)) as { handler?: unknown };
      expect(typeof module.handler).toBe('function');

      const functions = resourcesOf('AWS::Lambda::Function', `${functionIdFor(route)}Function`);
      expect(functions).toHaveLength(1);
      const [, fn] = functions[0] as [string, Resource];
      expect(fn.Properties).toMatchObject({
        Handler: 'index.handler',
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
      });
    },
  );

  it('throttles POST /login and POST /users (and its alias) per route at the stage, beside the stage-wide throttle', () => {
    const stages = Object.values(resources).filter(
      (resource) =>
        resource.Type === 'AWS::ApiGatewayV2::Stage' && resource.Properties.ApiId.Ref.startsWith('HttpApi'),
    );
    expect(stages).toHaveLength(1);
    const stage = stages[0] as Resource;
    const throttled = routes.filter((route) => route.gatewayThrottle);
    expect(throttled.map((route) => route.name).sort()).toEqual(['login', 'sign-up']);
    expect(Object.keys(stage.Properties.RouteSettings).sort()).toEqual(throttled.flatMap(routeKeys).sort());
    for (const route of throttled) {
      expect(stage.Properties.RouteSettings[`${route.method} ${route.path}`]).toEqual({
        ThrottlingRateLimit: route.gatewayThrottle?.rateLimit,
        ThrottlingBurstLimit: route.gatewayThrottle?.burstLimit,
      });
    }
    expect(stage.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 200 });
    // The routes the settings name exist before the stage (CloudFormation refuses unknown route keys).
    expect(stage.DependsOn?.length ?? 0).toBeGreaterThan(0);
  });

  it('gives every function its own log group, JSON logs and source maps', () => {
    for (const route of routes) {
      const [[, fn] = []] = resourcesOf('AWS::Lambda::Function', `${functionIdFor(route)}Function`);
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
    const [[, fn] = []] = resourcesOf('AWS::Lambda::Function', `${functionIdFor(route)}Function`);
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
      Condition?: Record<string, Record<string, unknown>>;
    }[];
  };
  const isCounterGrant = (statement: { Condition?: Record<string, Record<string, unknown>> }) =>
    JSON.stringify(statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']) ===
    JSON.stringify([`${RATE_COUNTER_PREFIX}*`]);
  const actionsOf = (statement: { Action: string | string[] }) =>
    Array.isArray(statement.Action) ? statement.Action : [statement.Action];

  /** The logical ids of the secrets a route's function may read. */
  const secretsReadBy = (route: (typeof routes)[number]) =>
    policyStatementsOf(route)
      .filter((statement) => actionsOf(statement).includes('secretsmanager:GetSecretValue'))
      // In the functions' nested stack a secret is a parameter: `referenceto<stack><logical id>Ref`.
      .map((statement) =>
        (statement.Resource as { Ref: string }).Ref.replace(/^referencetoTest(.*)Ref$/, '$1'),
      )
      .sort();

  it.each(routes.map((route) => [route.name, route] as const))(
    'grants %s exactly the table actions and the secrets its route declares',
    (_name, route) => {
      const statements = policyStatementsOf(route);
      // The limit counters' grant is checked on its own below.
      const dynamoActions = statements
        .filter((statement) => !isCounterGrant(statement))
        .flatMap(actionsOf)
        .filter((action) => action.startsWith('dynamodb:'));
      expect(dynamoActions.sort()).toEqual([...route.access.table].sort());
      const secrets = secretsReadBy(route);
      expect(secrets.filter((id) => id.startsWith('TokenKeysSecret'))).toHaveLength(
        route.access.tokenKeys === 'sign' ? 1 : 0,
      );
      expect(secrets.filter((id) => id.startsWith('MediaCdnSigningKey'))).toHaveLength(
        route.access.cdnSigningKey ? 1 : 0,
      );
      expect(secrets).toHaveLength(
        (route.access.tokenKeys === 'sign' ? 1 : 0) + (route.access.cdnSigningKey ? 1 : 0),
      );
      expect(JSON.stringify(statements)).not.toMatch(
        /"dynamodb:\*"|"secretsmanager:\*"|"logs:CreateLogGroup"/,
      );
    },
  );

  it.each(routes.map((route) => [route.name, route] as const))(
    'lets %s update limit counters (RATE# keys) exactly when it has limits, and nothing else with that grant',
    (_name, route) => {
      const counterGrants = policyStatementsOf(route).filter(isCounterGrant);
      expect(counterGrants).toHaveLength(limitsOf(route).length > 0 ? 1 : 0);
      for (const grant of counterGrants) expect(actionsOf(grant)).toEqual(['dynamodb:UpdateItem']);
    },
  );

  it('lets only login and refresh read the token signing keys', () => {
    const signers = routes.filter((route) =>
      secretsReadBy(route).some((id) => id.startsWith('TokenKeysSecret')),
    );

    expect(signers.map((route) => route.name).sort()).toEqual(['login', 'refresh-token']);
  });

  it('passes the signing key secret only to the functions that issue tokens, and the public keys to those that verify or publish them', () => {
    for (const route of routes) {
      const [[, fn] = []] = resourcesOf('AWS::Lambda::Function', `${functionIdFor(route)}Function`);
      const variables = fn?.Properties.Environment.Variables ?? {};
      expect('TOKEN_SIGNING_KEY_SECRET_ARN' in variables, route.name).toBe(route.access.tokenKeys === 'sign');
      expect('TOKEN_JWKS' in variables, route.name).toBe(
        route.auth === 'user' || route.access.tokenKeys === 'publish',
      );
      if ('TOKEN_JWKS' in variables) {
        // The key set's JWKS attribute, as the nested stack of the functions receives it (a parameter).
        expect(variables.TOKEN_JWKS).toEqual({
          Ref: expect.stringMatching(/^referencetoTestTokenKeys\w*Jwks$/),
        });
      }
      // A rotation changes it, so every function holding keys is updated and starts fresh environments.
      expect(variables.TOKEN_KEY_GENERATION, route.name).toBe(
        'TOKEN_JWKS' in variables || 'TOKEN_SIGNING_KEY_SECRET_ARN' in variables ? '1' : undefined,
      );
    }
  });

  it('hashes passwords at the production scrypt cost: no function is given PASSWORD_HASH_LOG_N, and the hashing routes have 1024 MB', () => {
    const ours = Object.values(resources).filter(
      (resource) =>
        resource.Type === 'AWS::Lambda::Function' &&
        resource.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'chat-api',
    );
    for (const fn of ours) expect(fn.Properties.Environment.Variables.PASSWORD_HASH_LOG_N).toBeUndefined();
    // scrypt at N = 2^17, r = 8 needs 128 MB per hash, in the function's memory beside the runtime.
    for (const name of ['sign-up', 'login', 'change-password']) {
      const route = routes.find((candidate) => candidate.name === name);
      const [[, fn] = []] = resourcesOf('AWS::Lambda::Function', `${functionIdFor(route as never)}Function`);
      expect(fn?.Properties.MemorySize, name).toBeGreaterThanOrEqual(1024);
    }
  });

  it('never gives our functions an AWS managed policy (each role has its own inline policy)', () => {
    const ourRoles = Object.values(resources)
      // Ours are the house ChatFunction (it sets POWERTOOLS_SERVICE_NAME); CDK's own deploy-time helpers are not.
      .filter(
        (resource) =>
          resource.Type === 'AWS::Lambda::Function' &&
          resource.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'chat-api',
      )
      .map((fn) => fn.Properties.Role['Fn::GetAtt'][0] as string);
    expect(ourRoles.length).toBeGreaterThan(routes.length);
    for (const roleId of ourRoles) expect(resources[roleId]?.Properties.ManagedPolicyArns).toBeUndefined();
  });
});

describe('the stream processor', () => {
  it('reads the table stream with partial batch responses and only the records it acts on', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      StartingPosition: 'LATEST',
      FilterCriteria: {
        Filters: STREAM_FILTER_PATTERNS.map((pattern) => ({ Pattern: JSON.stringify(pattern) })),
      },
    });
    // Lambda accepts five patterns per event source mapping unless the quota is raised.
    expect(STREAM_FILTER_PATTERNS.length).toBeLessThanOrEqual(5);
  });

  it("may delete profile pictures and a deleted account's files, list only the served prefixes, write exports, and nothing else", () => {
    const [[, fn] = []] = resourcesOf('AWS::Lambda::Function', 'StreamsTableStreamFunction');
    const roleId = fn?.Properties.Role['Fn::GetAtt'][0] as string;
    const grants = s3GrantsOf(roleId);
    expect(grants.filter((grant) => grant.startsWith('s3:DeleteObject'))).toEqual([
      's3:DeleteObject attachments/*',
      's3:DeleteObject avatars/*',
      `s3:DeleteObject ${EXPORTS_PREFIX}*`,
    ]);
    // Data exports: written by the stream, under exports/ only.
    expect(grants.filter((grant) => grant.startsWith('s3:PutObject'))).toEqual([
      `s3:PutObject ${EXPORTS_PREFIX}*`,
    ]);
    expect(grants.filter((grant) => !/^s3:(DeleteObject|PutObject)/.test(grant))).toEqual([
      expect.stringMatching(/^s3:ListBucket /),
    ]);
    const listing = Object.values(resources)
      .filter(
        (resource) =>
          resource.Type === 'AWS::IAM::Policy' &&
          resource.Properties.Roles.some((role: { Ref?: string }) => role.Ref === roleId),
      )
      .flatMap(
        (policy) => policy.Properties.PolicyDocument.Statement as { Action: unknown; Condition?: unknown }[],
      )
      .find((statement) => statement.Action === 's3:ListBucket');
    expect(listing?.Condition).toEqual({
      StringLike: { 's3:prefix': ['avatars/*', 'attachments/*', `${EXPORTS_PREFIX}*`] },
    });
  });

  it('may query, read, update and delete items, batch-write feed entries and batch-read feed heads in the table, query GSI1 (presence watchers), and read its stream', () => {
    const [[, fn] = []] = resourcesOf('AWS::Lambda::Function', 'StreamsTableStreamFunction');
    const roleId = fn?.Properties.Role['Fn::GetAtt'][0] as string;
    const policy = Object.values(resources).find(
      (resource) => resource.Type === 'AWS::IAM::Policy' && resource.Properties.Roles[0].Ref === roleId,
    );
    const statements = (policy?.Properties.PolicyDocument.Statement ?? []) as { Action: string | string[] }[];
    const actions = statements
      .flatMap((statement) => statement.Action)
      .filter((action) => action.startsWith('dynamodb:'))
      .sort();
    expect(actions).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:DeleteItem',
      'dynamodb:DescribeStream',
      'dynamodb:GetItem',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:Query',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    const indexQuery = statements.find((statement) =>
      JSON.stringify((statement as { Resource?: unknown }).Resource ?? '').includes('/index/GSI1'),
    );
    expect(indexQuery?.Action).toBe('dynamodb:Query');
  });

  it('puts presence changes the debounce held back on an encrypted queue, read by a function that may only announce presence', () => {
    const [[queueId, queue] = []] = resourcesOf('AWS::SQS::Queue', 'StreamsPresenceRechecks');
    expect(queue?.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 3600 });
    const [[, consumer] = []] = resourcesOf('AWS::Lambda::Function', 'StreamsTableStreamFunction');
    const [[, recheck] = []] = resourcesOf('AWS::Lambda::Function', 'StreamsPresenceRecheckFunction');
    for (const fn of [consumer, recheck]) {
      expect(fn?.Properties.Environment.Variables.PRESENCE_RECHECK_QUEUE_URL).toEqual({ Ref: queueId });
    }
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionName: { Ref: Object.keys(resources).find((id) => resources[id] === recheck) },
    });
    const roleId = recheck?.Properties.Role['Fn::GetAtt'][0] as string;
    const actions = Object.values(resources)
      .filter(
        (resource) =>
          resource.Type === 'AWS::IAM::Policy' &&
          resource.Properties.Roles.some((role: { Ref?: string }) => role.Ref === roleId),
      )
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Action: string | string[] }[])
      .flatMap((statement) => statement.Action)
      .filter((action) => /^(dynamodb|s3|secretsmanager):/.test(action))
      .sort();
    expect(actions).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
  });
});

describe('the web app and CORS', () => {
  const webDistributionId = () =>
    Object.entries(resources).find(
      ([id, resource]) => resource.Type === 'AWS::CloudFront::Distribution' && id.startsWith('Web'),
    )?.[0];

  it('lets only the web app and the configured origins call the HTTP API (CORS), never "*"', () => {
    const [api] = Object.values(resources).filter(
      (resource) => resource.Type === 'AWS::ApiGatewayV2::Api' && resource.Properties.ProtocolType === 'HTTP',
    );
    expect(api?.Properties.CorsConfiguration.AllowOrigins).toEqual([
      { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [webDistributionId(), 'DomainName'] }]] },
      'https://chat.example.com',
    ]);
    expect(JSON.stringify(api?.Properties.CorsConfiguration)).not.toContain('"*"');
  });

  it("outputs the web app URL and writes its config.json with this stack's API, WebSocket and CDN URLs", () => {
    template.hasOutput('WebUrl', {
      Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [webDistributionId(), 'DomainName'] }]] },
    });
    const shell = Object.values(resources).find(
      (resource) =>
        resource.Type === 'Custom::CDKBucketDeployment' &&
        resource.Properties.SourceMarkers?.[1] !== undefined,
    );
    const markers = JSON.stringify(shell?.Properties.SourceMarkers);
    const httpApiId = Object.entries(resources).find(
      ([, resource]) =>
        resource.Type === 'AWS::ApiGatewayV2::Api' && resource.Properties.ProtocolType === 'HTTP',
    )?.[0];
    expect(markers).toContain(`{"Fn::GetAtt":["${httpApiId}","ApiEndpoint"]}`);
    expect(markers).toMatch(/"Ref":"WsApi/);
    expect(markers).toMatch(/"Fn::GetAtt":\["MediaCdn[A-Z0-9]+","DomainName"\]/);
  });
});

describe('media storage and delivery', () => {
  it('keeps the bucket private, encrypted, TLS-only, and cleans up uploads that never completed', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: Match.anyValue(),
      CorsConfiguration: Match.anyValue(),
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('serves through CloudFront with Origin Access Control, HTTPS only, signed URLs except for avatars', () => {
    // One for the media distribution, one for the web app's (test/infra/web-app.test.ts).
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 2);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'https-only',
          TrustedKeyGroups: [Match.anyValue()],
        }),
        CacheBehaviors: [
          Match.objectLike({
            PathPattern: 'avatars/*',
            ViewerProtocolPolicy: 'https-only',
            TrustedKeyGroups: Match.absent(),
          }),
          Match.objectLike({
            PathPattern: 'attachments/*',
            ViewerProtocolPolicy: 'https-only',
            TrustedKeyGroups: [Match.anyValue()],
          }),
        ],
      }),
    });
    template.hasResourceProperties('AWS::CloudFront::PublicKey', {
      PublicKeyConfig: Match.objectLike({ EncodedKey: { 'Fn::GetAtt': [Match.anyValue(), 'PublicKey'] } }),
    });
  });

  it('has behaviors that reach the bucket only for the served prefixes; the default one answers 404 at the edge', () => {
    const [distribution] = Object.values(template.findResources('AWS::CloudFront::Distribution'));
    const config = distribution?.Properties.DistributionConfig;
    expect(
      config.CacheBehaviors.map((behavior: { PathPattern: string }) => behavior.PathPattern).sort(),
    ).toEqual(SERVED_PREFIXES.map((prefix) => `${prefix}*`).sort());
    const [association] = config.DefaultCacheBehavior.FunctionAssociations;
    expect(association.EventType).toBe('viewer-request');
    const functionId = association.FunctionARN['Fn::GetAtt'][0] as string;
    const code = resources[functionId]?.Properties.FunctionCode as string;
    // Run the deployed function's code on requests for quarantine and other unserved paths.
    const handler = new Function(`${code}; return handler;`)() as (event: unknown) => { statusCode?: number };
    for (const uri of ['/uploads/avatar/u/01ARZ3NDEKTSV4RRFFQ69G5FAV', '/', '/anything']) {
      expect(handler({ request: { uri, method: 'GET', headers: {} } })).toEqual(
        expect.objectContaining({ statusCode: 404 }),
      );
    }
  });

  it('denies CloudFront every object outside the served prefixes in the bucket policy', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
            NotResource: SERVED_PREFIXES.map((prefix) =>
              Match.objectLike({ 'Fn::Join': ['', [Match.anyValue(), `/${prefix}*`]] }),
            ),
          }),
        ]),
      },
    });
  });

  it('serves user files with nosniff, a sandboxing CSP and attachment unless the object says otherwise', () => {
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: {
          ContentTypeOptions: { Override: true },
          ContentSecurityPolicy: { ContentSecurityPolicy: "default-src 'none'; sandbox", Override: true },
        },
        CustomHeadersConfig: {
          Items: [{ Header: 'Content-Disposition', Value: 'attachment', Override: false }],
        },
      }),
    });
    const [policyId] = Object.keys(template.findResources('AWS::CloudFront::ResponseHeadersPolicy'));
    const [distribution] = Object.values(template.findResources('AWS::CloudFront::Distribution'));
    const config = distribution?.Properties.DistributionConfig;
    for (const behavior of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
      expect(behavior.ResponseHeadersPolicyId).toEqual({ Ref: policyId });
    }
  });

  it('checks every upload in quarantine with the media-uploaded function, and nothing else', () => {
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          Match.objectLike({
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: QUARANTINE_PREFIX }] } },
          }),
        ],
      },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: QUARANTINE_PREFIX, ExpirationInDays: 1, Status: 'Enabled' }),
        ]),
      },
    });
  });

  it('lets the upload check read and delete quarantine and write served keys, but never read them', () => {
    const [[, fn] = []] = resourcesOf('AWS::Lambda::Function', 'MediaMediaUploadedFunction');
    expect(fn?.Properties.MemorySize).toBeGreaterThanOrEqual(1024);
    expect(fn?.Properties.Timeout).toBeGreaterThanOrEqual(60);
    const s3Grants = s3GrantsOf(fn?.Properties.Role['Fn::GetAtt'][0] as string);
    expect(s3Grants).toEqual(
      [
        ...['s3:DeleteObject', 's3:GetObject'].map((action) => `${action} ${QUARANTINE_PREFIX}*`),
        ...SERVED_PREFIXES.flatMap((prefix) => [`s3:DeleteObject ${prefix}*`, `s3:PutObject ${prefix}*`]),
      ].sort(),
    );
  });

  it('gives the CDN private key and the upload grant only to the routes that declare them', () => {
    for (const route of routes) {
      const [[, fn] = []] = resourcesOf('AWS::Lambda::Function', `${functionIdFor(route)}Function`);
      const variables = fn?.Properties.Environment.Variables ?? {};
      expect('CDN_PRIVATE_KEY_SECRET_ARN' in variables).toBe(route.access.cdnSigningKey === true);
      expect('MEDIA_BUCKET' in variables).toBe(
        route.access.presignUploads === true || route.access.presignExportDownloads === true,
      );
      const s3Grants = s3GrantsOf(fn?.Properties.Role['Fn::GetAtt'][0] as string);
      // Presigned POSTs may only put objects into quarantine; presigned export links only read exports.
      expect(s3Grants).toEqual([
        ...(route.access.presignUploads ? [`s3:PutObject ${QUARANTINE_PREFIX}*`] : []),
        ...(route.access.presignExportDownloads ? [`s3:GetObject ${EXPORTS_PREFIX}*`] : []),
      ]);
    }
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

  it('keeps the token signing keys in a secret filled at deploy by the key custom resource, never in the template', () => {
    const [[secretId] = []] = resourcesOf('AWS::SecretsManager::Secret', 'TokenKeysSecret');
    expect(secretId).toBeDefined();
    expect(resources[secretId ?? '']?.Properties.SecretString).toBeUndefined();
    const keys = Object.values(resources).filter(
      (resource) =>
        resource.Type === 'AWS::CloudFormation::CustomResource' &&
        resource.Properties.Generation !== undefined,
    );
    expect(keys).toHaveLength(1);
    expect(keys[0]?.Properties).toMatchObject({ SecretArn: { Ref: secretId }, Generation: '1' });
    expect(JSON.stringify(template.toJSON())).not.toMatch(/"d"\s*:|PRIVATE KEY/);
    template.hasOutput('ApiUrl', {});
    template.hasOutput('TableName', {});
  });

  it('rotates the token keys when given a higher key generation (-c tokenKeyGeneration)', () => {
    const stack = new Stack(new App({ outdir: mkdtempSync(join(tmpdir(), 'cdk-')) }), 'Keys');
    new TokenSigningKeys(stack, 'TokenKeys', { generation: 2 });

    Template.fromStack(stack).hasResourceProperties('AWS::CloudFormation::CustomResource', {
      SecretArn: { Ref: Match.stringLikeRegexp('^TokenKeysSecret') },
      Generation: '2',
    });
    expect(() => new TokenSigningKeys(stack, 'Invalid', { generation: 0 })).toThrow(/whole number/);
  });
});
