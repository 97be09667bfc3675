/**
 * The web app on AWS: the built files in a private bucket, served by CloudFront through Origin Access
 * Control over HTTPS, with security headers (a Content-Security-Policy naming exactly where the app may
 * connect), index.html for every app path (a viewer-request function), and /config.json written at deploy
 * with the API, WebSocket and CDN URLs of this stack.
 */
import { join } from 'node:path';
import { DefaultStackSynthesizer, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { ensureWebBuildSync, WEB_DIST_DIR } from '../../local/web-app';
import { contentSecurityPolicy, SECURITY_HEADERS, type WebRuntimeConfig } from '../../web/hosting';

/**
 * CloudFront Function (viewer request): an app path such as /c/123 gets index.html; a file (a dot in the
 * last segment) is served as is, so a missing asset is a real 403/404 instead of HTML.
 */
export const SPA_REWRITE_FUNCTION = `function handler(event) {
  var request = event.request;
  var last = request.uri.split('/').pop();
  if (last.indexOf('.') === -1) request.uri = '/index.html';
  return request;
}`;

export interface WebAppProps {
  /** The WebSocket API's endpoint without the stage (`wss://{id}.execute-api.{region}.amazonaws.com`). */
  webSocketEndpoint: string;
  /** The media CDN (`https://{id}.cloudfront.net`): images and videos are shown from it. */
  mediaCdnUrl: string;
  /** The media bucket, which presigned uploads POST to. */
  mediaBucket: s3.IBucket;
  /** A directory holding the built app; by default web/dist, built first when its sources changed. */
  appDir?: string;
}

export class WebApp extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  /** `https://{id}.cloudfront.net`: the app's origin (CORS on the API allows it). */
  readonly url: string;
  private readonly appDir: string;

  constructor(scope: Construct, id: string, props: WebAppProps) {
    super(scope, id);
    this.appDir = props.appDir ?? builtApp();
    const region = Stack.of(this).region;

    // The site holds nothing but build output, redeployed on every deploy: never retained.
    const logs = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });
    Validations.of(logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access log bucket itself; logging it into itself would loop.',
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'site/',
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });

    const csp = contentSecurityPolicy({
      // Any HTTP API of this region, not this stack's own: the API's CORS configuration names this
      // distribution, so naming the API here would make the two depend on each other (a cycle). The WebSocket
      // API, the CDN and the bucket have no such back reference and are named exactly.
      api: `https://*.execute-api.${region}.amazonaws.com`,
      webSocket: props.webSocketEndpoint,
      cdn: props.mediaCdnUrl,
      uploads: `https://${props.mediaBucket.bucketRegionalDomainName} https://${props.mediaBucket.bucketName}.s3.amazonaws.com`,
    });
    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Chat web app: CSP, HSTS, no framing, no sniffing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Permissions-Policy', value: SECURITY_HEADERS['permissions-policy'], override: true },
          {
            header: 'Cross-Origin-Opener-Policy',
            value: SECURITY_HEADERS['cross-origin-opener-policy'],
            override: true,
          },
        ],
      },
    });
    const spaRewrite = new cloudfront.Function(this, 'SpaRewrite', {
      comment: 'Serves index.html for app paths (SPA fallback)',
      code: cloudfront.FunctionCode.fromInline(SPA_REWRITE_FUNCTION),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
    });

    this.distribution = new cloudfront.Distribution(this, 'Cdn', {
      comment: 'Chat web app',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        functionAssociations: [
          { function: spaRewrite, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
        ],
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cdn/',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: 'The chat app is for users anywhere; no geographic restriction applies.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason:
        'Static files only (the API has its own throttling); a WAF web ACL is a per-deployment choice (cost) documented in docs/architecture.md.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR4',
      reason:
        'Without a custom domain CloudFront serves its default *.cloudfront.net certificate, whose policy cannot be raised; attach a custom domain and certificate to enforce TLSv1.2_2021.',
    });
    this.url = `https://${this.distribution.distributionDomainName}`;

    // Hashed files never change: cached for a year, and kept across deploys (prune: false) so a tab still
    // running the previous version can load its chunks.
    const assets = new s3deploy.BucketDeployment(this, 'DeployAssets', {
      sources: [s3deploy.Source.asset(join(this.appDir, 'assets'))],
      destinationBucket: this.bucket,
      destinationKeyPrefix: 'assets/',
      prune: false,
      cacheControl: [s3deploy.CacheControl.fromString('public, max-age=31536000, immutable')],
    });
    this.acknowledgeDeploymentHandler(assets);
  }

  /** cdk-nag findings on aws-cdk-lib's BucketDeployment handler (one singleton Lambda per stack). */
  private acknowledgeDeploymentHandler(deployment: s3deploy.BucketDeployment) {
    const stack = Stack.of(this);
    const bucketId = stack.resolve(
      stack.getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket),
    ) as string;
    // cdk-nag names a finding by the resolved text: concrete values when the stack has an environment.
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    const synthesizer = stack.synthesizer;
    const qualifier =
      synthesizer instanceof DefaultStackSynthesizer
        ? (synthesizer.bootstrapQualifier ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER)
        : DefaultStackSynthesizer.DEFAULT_QUALIFIER;
    const findings = [
      'Action::s3:GetBucket*',
      'Action::s3:GetObject*',
      'Action::s3:List*',
      'Action::s3:Abort*',
      'Action::s3:DeleteObject*',
      'Resource::*',
      `Resource::<${bucketId}.Arn>/*`,
      `Resource::arn:<AWS::Partition>:s3:::cdk-${qualifier}-assets-${account}-${region}/*`,
    ];
    for (const finding of findings) {
      Validations.of(deployment.handlerRole).acknowledge({
        id: `AwsSolutions-IAM5[${finding}]`,
        reason:
          "aws-cdk-lib's BucketDeployment handler copies the build from the CDK asset bucket into the site bucket (read, write, prune) and invalidates the distribution; it runs only during deployment.",
      });
    }
    const handler = deployment.handlerRole.node.scope;
    if (handler) {
      Validations.of(handler).acknowledge({
        id: 'AwsSolutions-L1',
        reason: "The runtime of aws-cdk-lib's BucketDeployment handler is chosen by aws-cdk-lib, not by us.",
      });
      Validations.of(handler).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          "aws-cdk-lib's BucketDeployment handler uses AWSLambdaBasicExecutionRole; it runs only during deployment.",
      });
    }
  }

  /**
   * Writes index.html and the other unhashed files, and /config.json with the given URLs (deploy-time
   * values), revalidated on every load; then invalidates the CDN's copies.
   */
  deployRuntimeConfig(config: WebRuntimeConfig) {
    new s3deploy.BucketDeployment(this, 'DeployShell', {
      sources: [
        s3deploy.Source.asset(this.appDir, { exclude: ['assets', '.build-hash'] }),
        s3deploy.Source.jsonData('config.json', config),
      ],
      destinationBucket: this.bucket,
      // Pruning removes files of older builds, but never the hashed assets of DeployAssets.
      exclude: ['assets/*'],
      cacheControl: [s3deploy.CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: ['/*'],
    });
  }
}

/** web/dist, built first when its sources changed (offline: Vite runs from node_modules). */
function builtApp(): string {
  ensureWebBuildSync();
  return WEB_DIST_DIR;
}
