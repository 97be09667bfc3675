/**
 * The web app's hosting: a private bucket behind CloudFront (Origin Access Control, HTTPS, security headers,
 * SPA fallback), the runtime config written at deploy; cdk-nag clean. Synthesized in a small stack of its own
 * from a fixture build (the whole stack, with the real build, is checked in stack.test.ts).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { SPA_REWRITE_FUNCTION, WebApp } from '../../lib/constructs/web-app';

let template: Template;
let synthError: unknown;
let cspParts: string;

beforeAll(() => {
  const appDir = mkdtempSync(join(tmpdir(), 'web-fixture-'));
  mkdirSync(join(appDir, 'assets'));
  writeFileSync(
    join(appDir, 'index.html'),
    '<!doctype html><script type="module" src="/assets/app.js"></script>',
  );
  writeFileSync(join(appDir, 'assets', 'app.js'), 'export {};');

  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'cdk-')) });
  const stack = new Stack(app, 'WebTest', { env: { account: '123456789012', region: 'eu-west-1' } });
  const logs = new s3.Bucket(stack, 'MediaLogs', { enforceSSL: true });
  Validations.of(logs).acknowledge({ id: 'AwsSolutions-S1', reason: 'Test fixture' });
  const mediaBucket = new s3.Bucket(stack, 'Media', { enforceSSL: true, serverAccessLogsBucket: logs });
  const web = new WebApp(stack, 'Web', {
    appDir,
    webSocketEndpoint: 'wss://ws123.execute-api.eu-west-1.amazonaws.com',
    mediaCdnUrl: 'https://media123.cloudfront.net',
    mediaBucket,
  });
  web.deployRuntimeConfig({
    apiUrl: 'https://api123.execute-api.eu-west-1.amazonaws.com',
    wsUrl: 'wss://ws123.execute-api.eu-west-1.amazonaws.com/v1',
    cdnUrl: 'https://media123.cloudfront.net',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  try {
    app.synth();
  } catch (error) {
    synthError = error;
  }
  template = Template.fromStack(stack);
  const policy = Object.values(template.findResources('AWS::CloudFront::ResponseHeadersPolicy'))[0] as {
    Properties: {
      ResponseHeadersPolicyConfig: {
        SecurityHeadersConfig: { ContentSecurityPolicy: { ContentSecurityPolicy: unknown } };
      };
    };
  };
  cspParts = JSON.stringify(
    policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy
      .ContentSecurityPolicy,
  );
});

describe('web app hosting', () => {
  it('passes the cdk-nag AwsSolutions checks (acknowledgements carry reasons)', () => {
    expect(synthError).toBeUndefined();
  });

  it('keeps the site bucket private, encrypted and TLS-only, readable by CloudFront alone (OAC)', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: { LogFilePrefix: 'site/' },
    });
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
      }),
    });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Origins: [Match.objectLike({ OriginAccessControlId: Match.anyValue() })],
      }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 's3:GetObject',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  it('serves over HTTPS only, index.html at the root and for every app path (SPA fallback)', () => {
    const [functionId] = Object.keys(template.findResources('AWS::CloudFront::Function'));
    template.hasResourceProperties('AWS::CloudFront::Function', {
      FunctionCode: SPA_REWRITE_FUNCTION,
      FunctionConfig: Match.objectLike({ Runtime: 'cloudfront-js-2.0' }),
    });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'redirect-to-https',
          ResponseHeadersPolicyId: Match.anyValue(),
          FunctionAssociations: [
            { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [functionId, 'FunctionARN'] } },
          ],
        }),
        Logging: Match.objectLike({ Prefix: 'cdn/' }),
      }),
    });
  });

  it('sends security headers: HSTS, no sniffing, no framing, no referrer', () => {
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          StrictTransportSecurity: Match.objectLike({ AccessControlMaxAgeSec: 31536000, Override: true }),
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
        }),
      }),
    });
  });

  it('has a Content-Security-Policy that allows the API, the WebSocket API, the CDN and uploads, and no inline code', () => {
    expect(cspParts).toContain("script-src 'self'");
    expect(cspParts).toContain('https://*.execute-api.eu-west-1.amazonaws.com');
    expect(cspParts).toContain('wss://ws123.execute-api.eu-west-1.amazonaws.com');
    expect(cspParts).toContain("img-src 'self' blob: data: https://media123.cloudfront.net");
    expect(cspParts).toContain('RegionalDomainName');
    expect(cspParts).not.toMatch(/unsafe-inline|unsafe-eval/);
  });

  it('writes config.json at deploy with the URLs, revalidated on every load, and invalidates the CDN', () => {
    const deployments = Object.values(template.findResources('Custom::CDKBucketDeployment')) as {
      Properties: Record<string, any>;
    }[];
    expect(deployments).toHaveLength(2);
    const shell = deployments.find(
      (deployment) => deployment.Properties.DestinationBucketKeyPrefix === undefined,
    );
    const assets = deployments.find(
      (deployment) => deployment.Properties.DestinationBucketKeyPrefix === 'assets/',
    );
    expect(shell?.Properties).toMatchObject({
      SystemMetadata: { 'cache-control': 'no-cache' },
      DistributionPaths: ['/*'],
      Exclude: ['assets/*'],
      Prune: true,
    });
    expect(shell?.Properties.SourceObjectKeys).toHaveLength(2); // the build, and config.json
    expect(assets?.Properties).toMatchObject({
      SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' },
      Prune: false,
    });
  });
});
