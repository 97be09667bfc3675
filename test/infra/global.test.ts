/**
 * The multi-region app (`-c regions=us-east-1,eu-west-1,ap-southeast-1`), synthesized offline: a DynamoDB
 * global table in the home stack, the APIs and the stream consumer in every region on its own replica, one
 * token key set (the home region's) for every region, the CDN signing key replicated, the web app once, and
 * latency-based routing on a custom domain. docs/global.md.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../functions/shared/routes';
import { buildChatApp, globalTableName } from '../../lib/chat-app';
import { resourcesWithNested } from '../support/templates';

type Resource = { Type: string; Properties: Record<string, any> };
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-1'];

let templates: Map<string, { template: Template; resources: Record<string, Resource> }>;
let synthError: unknown;

beforeAll(() => {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'cdk-')),
    context: {
      'aws:cdk:bundling-stacks': [],
      stage: 'prod',
      regions: REGIONS.join(','),
      domainName: 'chat.example.org',
      hostedZoneId: 'Z0123456789ABCDEFGHIJ',
      hostedZoneName: 'example.org',
    },
  });
  process.env.CDK_DEFAULT_ACCOUNT ??= '123456789012';
  const { stacks } = buildChatApp(app);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  try {
    app.synth();
  } catch (error) {
    synthError = error;
  }
  templates = new Map(
    stacks.map((stack) => {
      const template = Template.fromStack(stack);
      return [stack.region, { template, resources: resourcesWithNested(stack) }];
    }),
  );
});

const resourcesOf = (region: string, type: string) =>
  Object.values(templates.get(region)?.resources ?? {}).filter((resource) => resource.Type === type);

describe('a stage in three regions', () => {
  it('synthesizes one stack per region, clean under cdk-nag', () => {
    expect(synthError).toBeUndefined();
    expect([...templates.keys()]).toEqual(REGIONS);
  });

  it('makes the table a global table with a replica in each region, from the home stack only', () => {
    const [table, ...more] = resourcesOf('us-east-1', 'AWS::DynamoDB::GlobalTable');
    expect(more).toEqual([]);
    expect(table?.Properties.TableName).toBe(globalTableName('prod'));
    expect(table?.Properties.Replicas.map((replica: { Region: string }) => replica.Region).sort()).toEqual(
      [...REGIONS].sort(),
    );
    expect(table?.Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
    for (const region of REGIONS.slice(1))
      expect(resourcesOf(region, 'AWS::DynamoDB::GlobalTable')).toEqual([]);
  });

  /** The table stream's event source mappings (an SQS queue's has no starting position). */
  const streamMappings = (region: string) =>
    resourcesOf(region, 'AWS::Lambda::EventSourceMapping').filter(
      (mapping) => mapping.Properties.StartingPosition !== undefined,
    );

  it("runs every HTTP route, the WebSocket API and the stream consumer in every region, on that region's replica", () => {
    for (const region of REGIONS) {
      const routeKeys = resourcesOf(region, 'AWS::ApiGatewayV2::Route').map(
        (route) => route.Properties.RouteKey,
      );
      for (const route of routes) expect(routeKeys, region).toContain(`${route.method} ${route.path}`);
      expect(streamMappings(region)).toHaveLength(1);
      // And the presence rechecks' queue, read in each region by its own function.
      expect(resourcesOf(region, 'AWS::Lambda::EventSourceMapping')).toHaveLength(2);
    }
    for (const region of REGIONS.slice(1)) {
      // The replica's stream ARN is read at deploy in that region (its label is only known then).
      const [describe] = resourcesOf(region, 'Custom::AWS');
      expect(JSON.stringify(describe?.Properties)).toContain('describeTable');
      expect(JSON.stringify(describe?.Properties)).toContain(globalTableName('prod'));
      const [mapping] = streamMappings(region);
      expect(JSON.stringify(mapping?.Properties.EventSourceArn)).toContain('Table.LatestStreamArn');
    }
  });

  const distributions = (region: string, comment: string) =>
    resourcesOf(region, 'AWS::CloudFront::Distribution').filter(
      (distribution) => distribution.Properties.DistributionConfig.Comment === comment,
    );

  it('keeps the media (bucket, CDN, upload check) in the home region; the other regions presign for it', () => {
    expect(distributions('us-east-1', 'Chat media')).toHaveLength(1);
    for (const region of REGIONS.slice(1)) {
      expect(resourcesOf(region, 'AWS::CloudFront::Distribution')).toEqual([]);
      expect(resourcesOf(region, 'AWS::S3::Bucket')).toEqual([]);
      const presigning = resourcesOf(region, 'AWS::Lambda::Function').filter(
        (fn) => fn.Properties.Environment?.Variables?.MEDIA_BUCKET,
      );
      expect(presigning.length).toBeGreaterThan(0);
      for (const fn of presigning)
        expect(fn.Properties.Environment.Variables.MEDIA_BUCKET_REGION).toBe('us-east-1');
    }
  });

  it("deletes a replaced profile picture once, from the home region's stream (where the bucket is)", () => {
    const pictureFilters = (region: string) =>
      streamMappings(region).flatMap((mapping) =>
        mapping.Properties.FilterCriteria.Filters.filter(
          (filter: { Pattern: string }) =>
            // The picture pattern: a profile whose old image had a picture (not the presence-setting one).
            filter.Pattern.includes('PROFILE') && filter.Pattern.includes('avatarKey'),
        ),
      );
    expect(pictureFilters('us-east-1')).toHaveLength(1);
    for (const region of REGIONS.slice(1)) {
      expect(pictureFilters(region), region).toEqual([]);
      const [consumer] = resourcesOf(region, 'AWS::Lambda::Function').filter((fn) =>
        String(fn.Properties.Description ?? '').startsWith('Table stream'),
      );
      expect(consumer?.Properties.Environment.Variables.MEDIA_BUCKET, region).toBeUndefined();
    }
  });

  it("serves the web app once, from the home region, and lets every region's HTTP API answer it (CORS)", () => {
    expect(distributions('us-east-1', 'Chat web app')).toHaveLength(1);
    for (const region of REGIONS) {
      const [api] = resourcesOf(region, 'AWS::ApiGatewayV2::Api').filter(
        (candidate) => candidate.Properties.ProtocolType === 'HTTP',
      );
      expect(JSON.stringify(api?.Properties.CorsConfiguration.AllowOrigins), region).toContain('WebCdn');
    }
  });

  it('replicates the CDN signing key to every other region', () => {
    const [cdnKey, ...more] = Object.entries(templates.get('us-east-1')?.resources ?? {})
      .filter(
        ([id, resource]) => resource.Type === 'AWS::SecretsManager::Secret' && id.startsWith('MediaCdn'),
      )
      .map(([, resource]) => resource);
    expect(more).toEqual([]);
    expect(cdnKey?.Properties.ReplicaRegions.map((replica: { Region: string }) => replica.Region)).toEqual(
      REGIONS.slice(1),
    );
  });

  it('keeps one token key set, in the home region: every region verifies with its JWKS, login and refresh everywhere sign with it', () => {
    const homeResources = Object.entries(templates.get('us-east-1')?.resources ?? {});
    const [[keySetId, keySet] = []] = homeResources.filter(
      ([id, resource]) => resource.Type === 'AWS::SecretsManager::Secret' && id.startsWith('TokenKeysSecret'),
    );
    expect(keySet?.Properties.ReplicaRegions).toBeUndefined();
    for (const region of REGIONS.slice(1)) {
      expect(resourcesOf(region, 'AWS::SecretsManager::Secret'), region).toEqual([]);
      const functions = resourcesOf(region, 'AWS::Lambda::Function');
      const verifying = functions.filter((fn) => fn.Properties.Environment?.Variables?.TOKEN_JWKS);
      expect(verifying.length, region).toBeGreaterThan(10);
      for (const fn of verifying) {
        // Read from the home stack at each deploy (a weak reference: the JWKS changes at every rotation),
        // and redeployed with each rotation (TOKEN_KEY_GENERATION).
        expect(fn.Properties.Environment.Variables.TOKEN_JWKS).toEqual({
          'Fn::GetStackOutput': expect.objectContaining({ StackName: 'Chat-prod', Region: 'us-east-1' }),
        });
        expect(fn.Properties.Environment.Variables.TOKEN_KEY_GENERATION).toBe('1');
      }
      const signing = functions.filter(
        (fn) => fn.Properties.Environment?.Variables?.TOKEN_SIGNING_KEY_SECRET_ARN,
      );
      expect(signing.map((fn) => String(fn.Properties.Description).split(':')[0]).sort(), region).toEqual([
        'POST /login',
        'POST /token/refresh',
      ]);
      const policies = resourcesOf(region, 'AWS::IAM::Policy').filter((policy) =>
        JSON.stringify(policy.Properties.PolicyDocument).includes('secretsmanager:GetSecretValue'),
      );
      const readers = policies.filter((policy) =>
        JSON.stringify(policy.Properties).includes(keySetId ?? '?'),
      );
      expect(readers, region).toHaveLength(2);
    }
  });

  it('gives each region its own dead-letter queue, alarms and dashboard', () => {
    for (const region of REGIONS) {
      expect(resourcesOf(region, 'AWS::SQS::Queue').length, region).toBeGreaterThanOrEqual(1);
      expect(resourcesOf(region, 'AWS::CloudWatch::Dashboard'), region).toHaveLength(1);
      expect(resourcesOf(region, 'AWS::CloudWatch::Alarm').length, region).toBeGreaterThan(10);
    }
  });

  it('routes the custom domain to the nearest region: one latency record per region and name', () => {
    for (const region of REGIONS) {
      const records = resourcesOf(region, 'AWS::Route53::RecordSet');
      expect(
        records
          .map((record) => [
            record.Properties.Name,
            record.Properties.Region,
            record.Properties.SetIdentifier,
          ])
          .sort(),
      ).toEqual([
        ['chat.example.org.', region, region],
        ['ws.chat.example.org.', region, region],
      ]);
      expect(resourcesOf(region, 'AWS::ApiGatewayV2::DomainName')).toHaveLength(2);
    }
  });

  it('writes username claims and refresh tokens in the home region from every other region', () => {
    for (const region of REGIONS.slice(1)) {
      const functions = resourcesOf(region, 'AWS::Lambda::Function').filter((fn) =>
        String(fn.Properties.Description ?? '').startsWith('POST /users:'),
      );
      expect(functions).toHaveLength(1);
      expect(functions[0]?.Properties.Environment.Variables.HOME_REGION).toBe('us-east-1');
      const policies = JSON.stringify(resourcesOf(region, 'AWS::IAM::Policy'));
      expect(policies).toContain(':dynamodb:us-east-1:');
      expect(policies).toContain(`table/${globalTableName('prod')}`);
    }
    const home = resourcesOf('us-east-1', 'AWS::Lambda::Function');
    expect(home.some((fn) => fn.Properties.Environment?.Variables?.HOME_REGION)).toBe(false);
  });
});
