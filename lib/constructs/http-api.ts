/**
 * The HTTP API: one route per entry of the route table, each to its own function with exactly the table
 * actions and secret access the entry declares.
 */
import { Duration, NestedStack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { corsPolicy } from '../../functions/shared/cors';
import { RATE_COUNTER_PREFIX } from '../../functions/shared/data/keys';
import { tableDefinition } from '../../functions/shared/data/table-definition';
import { limitEnvironmentName } from '../../functions/shared/limits/config';
import { limitsOf, type RouteDefinition, routeKeys } from '../../functions/shared/route-definition';
import { defineFor } from '../bundling';
import { ChatFunction } from './chat-function';
import type { MediaAccess } from './media';
import { type TokenKeys, tokenKeyEnvironment } from './token-keys';

export interface HttpApiProps {
  routes: readonly RouteDefinition[];
  table: dynamodb.ITableV2;
  tokenKeys: TokenKeys;
  /** Environment every HTTP function gets (e.g. MAX_GROUP_MEMBERS). */
  environment?: Record<string, string>;
  media: MediaAccess;
  /** Origins whose pages may call the API (CORS): the web app's, plus any configured at deploy. Never `*`. */
  allowedOrigins: readonly string[];
  /**
   * Multi-region, outside the home region: the home replica's ARN. Username claims and refresh tokens are
   * written there (docs/global.md), so each function may use its declared actions on it too.
   */
  homeTableArn?: string;
  /** Stage throttling across all routes (requests per second, burst); default 200 / 400. */
  throttle?: { rateLimit: number; burstLimit: number };
  /** This deployment's overrides of the route table's limits, by name (`{"send-message": "20/4"}`). */
  rateLimits?: Readonly<Record<string, string>>;
  /** Reserved concurrency for each public route's function (off by default). */
  publicRouteReservedConcurrency?: number;
}

/** Logical id of a route's function construct, e.g. `sign-up` -> `SignUp`. */
export const functionIdFor = (route: RouteDefinition) =>
  route.name.replace(/(^|-)([a-z0-9])/g, (_, __, letter: string) => letter.toUpperCase());

export class ChatHttpApi extends Construct {
  readonly api: apigw.HttpApi;
  readonly functions = new Map<string, ChatFunction>();
  /** The nested stack that holds the functions (see the constructor). */
  readonly functionStack: NestedStack;
  /** One JSON line per request (requestId, routeKey, status, latency): read by the dashboard and docs. */
  readonly accessLogs: logs.LogGroup;
  readonly stage: apigw.HttpStage;

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.ONE_MONTH });
    this.accessLogs = accessLogs;
    this.api = new apigw.HttpApi(this, 'Api', {
      description: 'Chat backend HTTP API',
      corsPreflight: {
        allowOrigins: [...props.allowedOrigins],
        allowMethods: corsPolicy.allowMethods.map((method) => apigw.CorsHttpMethod[method]),
        allowHeaders: [...corsPolicy.allowHeaders],
        exposeHeaders: [...corsPolicy.exposeHeaders],
        maxAge: Duration.seconds(corsPolicy.maxAgeSeconds),
      },
      createDefaultStage: false,
    });
    this.stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 200, burstLimit: 400 },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
            ip: '$context.identity.sourceIp',
          }),
        ),
      },
    });

    // The routes' functions (each with its role, policy and log group) in a nested stack: four resources a route
    // would otherwise take from the one template's 500 (test/infra/resource-limits.test.ts). The API, its
    // routes, integrations and invoke permissions stay here.
    this.functionStack = new NestedStack(this, 'Functions', {
      description: "Chat backend: the HTTP routes' functions, their roles and log groups",
    });
    for (const route of props.routes) {
      const fn = new ChatFunction(this.functionStack, functionIdFor(route), {
        entry: `functions/http/${route.name}.ts`,
        description: `${route.method} ${route.path}: ${route.summary}`,
        memoryMb: route.memoryMb,
        define: defineFor(route.buildConstants),
        reservedConcurrency: route.auth === 'public' ? props.publicRouteReservedConcurrency : undefined,
        environment: {
          ...props.environment,
          ...limitEnvironment(route, props.rateLimits),
          TABLE_NAME: props.table.tableName,
          CDN_BASE_URL: props.media.baseUrl,
          // Public keys to verify (or publish) access tokens; the private key set only to those that issue them.
          ...tokenKeyEnvironment(props.tokenKeys, {
            jwks: route.auth === 'user' || route.access.tokenKeys === 'publish',
            sign: route.access.tokenKeys === 'sign',
          }),
          ...(route.access.presignUploads || route.access.presignExportDownloads
            ? { MEDIA_BUCKET: props.media.bucket.bucketName }
            : {}),
          ...((route.access.presignUploads || route.access.presignExportDownloads) && props.media.bucketRegion
            ? { MEDIA_BUCKET_REGION: props.media.bucketRegion }
            : {}),
          ...(route.access.cdnSigningKey
            ? {
                CDN_KEY_PAIR_ID: props.media.publicKey.publicKeyId,
                CDN_PRIVATE_KEY_SECRET_ARN: props.media.signingKeySecret.secretArn,
              }
            : {}),
        },
      });
      this.grantTableAccess(fn, route, props.table, props.homeTableArn);
      if (limitsOf(route).length > 0) grantLimitCounters(fn, props.table);
      if (route.access.tokenKeys === 'sign') props.tokenKeys.grantSign(fn);
      if (route.access.cdnSigningKey) props.media.signingKeySecret.grantRead(fn.role);
      if (route.access.presignUploads) props.media.grantPresignUploads(fn.role);
      if (route.access.presignExportDownloads) props.media.grantReadExports(fn.role);
      this.functions.set(route.name, fn);

      const integration = new HttpLambdaIntegration(`${functionIdFor(route)}Integration`, fn.function);
      for (const path of [route.path, ...(route.aliases ?? [])]) {
        const added = this.api.addRoutes({ path, methods: [apigw.HttpMethod[route.method]], integration });
        // The stage names these routes in its route settings: they must exist first.
        if (route.gatewayThrottle) for (const one of added) this.stage.node.addDependency(one);
      }
    }
    // Per-route throttles (POST /login, POST /users): a flood is shed by API Gateway before any Lambda runs;
    // the stage-wide throttle above still applies to every route.
    const routeSettings = Object.fromEntries(
      props.routes.flatMap((route) =>
        route.gatewayThrottle
          ? routeKeys(route).map((key) => [
              key,
              {
                ThrottlingRateLimit: route.gatewayThrottle?.rateLimit,
                ThrottlingBurstLimit: route.gatewayThrottle?.burstLimit,
              },
            ])
          : [],
      ),
    );
    if (Object.keys(routeSettings).length > 0) {
      (this.stage.node.defaultChild as apigw.CfnStage).routeSettings = routeSettings;
    }
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Public routes (sign-up, login, refresh, health, the JWKS) need no auth; every other route verifies the ES256 access token inside its function with the published public keys. An HTTP API JWT authorizer supports only RSA keys, answers 401s that are not problem+json, and does not apply to the WebSocket API (docs/architecture.md).',
    });
  }

  /** Exactly the actions the route declares, on the table and (for queries) its named indexes: no wildcards. */
  private grantTableAccess(
    fn: ChatFunction,
    route: RouteDefinition,
    table: dynamodb.ITableV2,
    homeTableArn?: string,
  ) {
    if (route.access.table.length === 0) return;
    const tables = homeTableArn ? [table.tableArn, homeTableArn] : [table.tableArn];
    const resources = [...tables];
    if (route.access.table.includes('dynamodb:Query')) {
      for (const index of tableDefinition.globalSecondaryIndexes) {
        resources.push(...tables.map((arn) => `${arn}/index/${index.indexName}`));
      }
    }
    fn.role.addToPolicy(new iam.PolicyStatement({ actions: [...route.access.table], resources }));
  }
}

/** The environment carrying this deployment's overrides of the route's limits (RATE_LIMIT_<NAME>). */
function limitEnvironment(route: RouteDefinition, overrides: Readonly<Record<string, string>> = {}) {
  return Object.fromEntries(
    limitsOf(route)
      .filter((limit) => overrides[limit.name] !== undefined)
      .map((limit) => [limitEnvironmentName(limit.name), overrides[limit.name] ?? '']),
  );
}

/** Limit counters: UpdateItem on the counter items only (their keys start with RATE#). */
function grantLimitCounters(fn: ChatFunction, table: dynamodb.ITableV2) {
  fn.role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['dynamodb:UpdateItem'],
      resources: [table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${RATE_COUNTER_PREFIX}*`] } },
    }),
  );
}
