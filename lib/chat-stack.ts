/**
 * The deployed product: the table, media storage and CDN, the token signing keys, the HTTP and WebSocket APIs,
 * the stream processor, the web app, and their alarms and dashboard. In a multi-region stage (docs/global.md)
 * the home region's stack has all of it; another region's stack has its own APIs, stream processor and
 * monitoring on its replica of the table, and uses the home region's media, keys and web app.
 */

import {
  Aspects,
  CfnOutput,
  type IAspect,
  NestedStack,
  RemovalPolicy,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct, IConstruct } from 'constructs';
import { limitEnvironmentName } from '../functions/shared/limits/config';
import { routes } from '../functions/shared/routes';
import { webSocketRoutes } from '../functions/shared/ws-routes';
import { ChatFunction } from './constructs/chat-function';
import { ChatTable, ReplicaTable } from './constructs/chat-table';
import { DeadLetters } from './constructs/dead-letters';
import { ChatHttpApi } from './constructs/http-api';
import { type DomainSettings, LatencyDomain } from './constructs/latency-domain';
import { Media, type MediaAccess, RemoteMedia } from './constructs/media';
import { Monitoring } from './constructs/monitoring';
import { StreamProcessor } from './constructs/stream-processor';
import { RemoteTokenKeys, type TokenKeys, TokenSigningKeys } from './constructs/token-keys';
import { WebApp } from './constructs/web-app';
import { ChatWebSocketApi } from './constructs/websocket-api';

export interface ChatStackProps extends StackProps {
  /** RETAIN (default) keeps the table when the stack is deleted; DESTROY is for throwaway stages. */
  tableRemovalPolicy?: RemovalPolicy;
  /** The largest group (default 256). */
  maxGroupMembers?: number;
  /** Origins allowed to call the API besides the web app's own (`-c allowedOrigins=https://a,https://b`). */
  allowedOrigins?: readonly string[];
  /** Raise by one to rotate the access-token signing key (default 1; see docs/architecture.md). */
  tokenKeyGeneration?: number;
  /** The stage (stages/<stage>.json): names its metrics, alarms and dashboard. Default `dev`. */
  stage?: string;
  /** How long every log group of the stack keeps its logs (default one month). */
  logRetention?: logs.RetentionDays;
  /** Where alarms are emailed. */
  alarmEmail?: string | null;
  httpThrottle?: { rateLimit: number; burstLimit: number };
  /** Overrides of the route table's rate limits, by name (`{"send-message": "20/4"}`). */
  rateLimits?: Readonly<Record<string, string>>;
  /** Reserved concurrency for the table-stream consumer and for each public route (off by default). */
  streamReservedConcurrency?: number;
  publicRouteReservedConcurrency?: number;
  webSocketThrottle?: { rateLimit: number; burstLimit: number };
  /** Create the account-wide API Gateway logging role (only where the account has none; default no). */
  createApiGatewayLoggingRole?: boolean;
  /**
   * Multi-region (docs/global.md). The home region's stack gets the other regions (`replicaRegions`: the
   * table becomes a global table, the CDN signing key is replicated); another region's stack gets `home`,
   * whose table replica, media, token keys and web app it uses. Both get the table's fixed name.
   */
  global?: {
    tableName: string;
    mediaBucketName: string;
    replicaRegions?: readonly string[];
    home?: ChatStack;
  };
  /** A custom domain, each user routed to the nearest region (latency-based routing). */
  domain?: DomainSettings;
}

/** Stage-wide settings applied to every resource of a kind: each function's STAGE, each log group's retention. */
class StageSettingsAspect implements IAspect {
  constructor(
    private readonly stage: string,
    private readonly logRetention: logs.RetentionDays,
  ) {}

  visit(node: IConstruct): void {
    // Metrics are counted per stage (functions/shared/metrics).
    if (node instanceof ChatFunction) node.function.addEnvironment('STAGE', this.stage);
    if (node instanceof logs.CfnLogGroup) node.retentionInDays = this.logRetention;
  }
}

export class ChatStack extends Stack {
  /** The media (bucket, CDN, upload check): only in a stage's home region. */
  readonly media: Media | undefined;
  /** The access-token key set: only in a stage's home region. */
  readonly tokenKeys: TokenSigningKeys | undefined;
  /** The web app's origin: only in a stage's home region. */
  readonly webUrl: string | undefined;
  /** The alarms, their topic and the dashboard (a nested stack: see below). */
  readonly observability: NestedStack;

  constructor(scope: Construct, id: string, props: ChatStackProps = {}) {
    super(scope, id, props);
    const home = props.global?.home;
    const replicaRegions = props.global?.replicaRegions;
    const stage = props.stage ?? 'dev';
    Aspects.of(this).add(new StageSettingsAspect(stage, props.logRetention ?? logs.RetentionDays.ONE_MONTH));

    const removalPolicy = props.tableRemovalPolicy ?? RemovalPolicy.RETAIN;
    const table =
      home && props.global
        ? new ReplicaTable(this, 'Data', { tableName: props.global.tableName }).table
        : new ChatTable(this, 'Data', { removalPolicy, tableName: props.global?.tableName, replicaRegions })
            .table;
    const deadLetters = new DeadLetters(this, 'DeadLetters');
    this.media = home
      ? undefined
      : new Media(this, 'Media', {
          table,
          removalPolicy,
          deadLetterQueue: deadLetters.queue,
          replicaRegions,
          bucketName: props.global?.mediaBucketName,
        });
    const media: MediaAccess =
      this.media ??
      new RemoteMedia(this, 'Media', {
        home: homeMedia(home),
        homeRegion: home?.region ?? '',
        bucketName: props.global?.mediaBucketName ?? '',
      });

    // Generated at deploy into Secrets Manager: the private keys never exist in code, templates or config. The
    // other regions of the stage use the home region's key set (docs/global.md, "Access-token keys").
    this.tokenKeys = home
      ? undefined
      : new TokenSigningKeys(this, 'TokenKeys', { generation: props.tokenKeyGeneration });
    const tokenKeys: TokenKeys =
      this.tokenKeys ?? new RemoteTokenKeys(this, 'TokenKeys', { home: homeKeys(home) });

    const webSocket = new ChatWebSocketApi(this, 'Ws', {
      routes: webSocketRoutes,
      table,
      tokenKeys,
      throttle: props.webSocketThrottle,
      createApiGatewayLoggingRole: props.createApiGatewayLoggingRole,
    });
    // One web app per stage, in its home region (CloudFront serves it worldwide); it calls the home region's
    // APIs, and every region's HTTP API allows its origin.
    const web = home
      ? undefined
      : new WebApp(this, 'Web', {
          webSocketEndpoint: webSocket.api.apiEndpoint,
          mediaCdnUrl: media.baseUrl,
          mediaBucket: media.bucket,
        });
    this.webUrl = web?.url;
    const http = new ChatHttpApi(this, 'Http', {
      routes,
      table,
      tokenKeys,
      media,
      environment: {
        ...(props.maxGroupMembers ? { MAX_GROUP_MEMBERS: String(props.maxGroupMembers) } : {}),
        ...(home ? { HOME_REGION: home.region } : {}),
      },
      homeTableArn: home
        ? home.formatArn({ service: 'dynamodb', resource: 'table', resourceName: props.global?.tableName })
        : undefined,
      throttle: props.httpThrottle,
      rateLimits: props.rateLimits,
      publicRouteReservedConcurrency: props.publicRouteReservedConcurrency,
      allowedOrigins: [this.webUrl ?? homeWebUrl(home), ...(props.allowedOrigins ?? [])],
    });
    web?.deployRuntimeConfig({
      apiUrl: http.api.apiEndpoint,
      wsUrl: webSocket.stage.url,
      cdnUrl: media.baseUrl,
    });
    const streams = new StreamProcessor(this, 'Streams', {
      table,
      webSocket,
      deadLetterQueue: deadLetters.queue,
      // Real-time events show media messages as the HTTP API does: with signed CDN URLs. The bucket: replaced
      // profile pictures are deleted from the stream, in the home region only (where the bucket is): every
      // replica's stream sees the profile change, and the file is deleted once.
      environment: {
        CDN_BASE_URL: media.baseUrl,
        CDN_KEY_PAIR_ID: media.publicKey.publicKeyId,
        CDN_PRIVATE_KEY_SECRET_ARN: media.signingKeySecret.secretArn,
        ...(this.media ? { MEDIA_BUCKET: this.media.bucket.bucketName } : {}),
      },
      deletesReplacedPictures: this.media !== undefined,
      reservedConcurrency: props.streamReservedConcurrency,
    });
    // The upload check releases pending uploads from the quota's window: it must know an overridden one.
    const uploadBytes = props.rateLimits?.['upload-bytes'];
    if (uploadBytes) {
      this.media?.uploadChecker.function.addEnvironment(limitEnvironmentName('upload-bytes'), uploadBytes);
    }
    media.signingKeySecret.grantRead(streams.handler.role);
    this.media?.grantDeleteProfilePictures(streams.handler.role);
    this.media?.grantDeleteAccountFiles(streams.handler.role);
    this.media?.grantWriteExports(streams.handler.role);

    // Alarms and the dashboard have a template of their own: two alarms per function grow with every route,
    // and one CloudFormation template holds at most 500 resources (test/infra/resource-limits.test.ts).
    this.observability = new NestedStack(this, 'Observability', {
      description: `Chat backend (${stage}): alarms, their topic and the dashboard`,
    });
    const monitoring = new Monitoring(this.observability, 'Monitoring', {
      stage,
      alarmEmail: props.alarmEmail,
      http: { apiId: http.api.apiId, functions: http.functions, accessLogs: http.accessLogs },
      webSocket: {
        apiId: webSocket.api.apiId,
        stageName: webSocket.stage.stageName,
        functions: webSocket.functions,
      },
      streamConsumer: streams.handler,
      presenceRecheck: streams.presenceRecheck,
      uploadChecker: this.media?.uploadChecker,
      table,
      deadLetterQueue: deadLetters.queue,
    });

    if (props.domain) {
      const domain = new LatencyDomain(this, 'Domain', {
        ...props.domain,
        httpApi: http.api,
        httpStage: http.stage,
        webSocketApi: webSocket.api,
        webSocketStage: webSocket.stage,
      });
      new CfnOutput(this, 'CustomApiUrl', {
        value: domain.httpUrl,
        description: 'The HTTP API, nearest region',
      });
      new CfnOutput(this, 'CustomWebSocketUrl', {
        value: domain.webSocketUrl,
        description: 'The WebSocket API, nearest region',
      });
    }

    if (web) {
      new CfnOutput(this, 'WebUrl', { value: web.url, description: 'The web app (served by CloudFront)' });
    }
    new CfnOutput(this, 'ApiUrl', { value: http.api.apiEndpoint, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'WebSocketUrl', {
      value: webSocket.stage.url,
      description: 'The WebSocket API: connect with ?token=<access token> (see docs/realtime.md)',
    });
    new CfnOutput(this, 'TableName', { value: table.tableName, description: 'The DynamoDB table' });
    new CfnOutput(this, 'MediaCdnUrl', {
      value: media.baseUrl,
      description: 'CloudFront in front of the media',
    });
    new CfnOutput(this, 'MediaBucket', { value: media.bucket.bucketName, description: 'Uploads land here' });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: monitoring.topic.topicArn,
      description: 'Alarms are published here (subscribe more endpoints as needed)',
    });
    new CfnOutput(this, 'DashboardName', { value: monitoring.dashboard.dashboardName });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      value: deadLetters.queue.queueUrl,
      description: 'What still failed after its retries; replay with npm run redrive (docs/operations.md)',
    });
  }
}

function homeKeys(home: ChatStack | undefined): TokenSigningKeys {
  if (!home?.tokenKeys) throw new Error('A secondary region needs its home stack, which has the token keys');
  return home.tokenKeys;
}

function homeWebUrl(home: ChatStack | undefined): string {
  if (!home?.webUrl) throw new Error('A secondary region needs its home stack, which has the web app');
  return home.webUrl;
}

function homeMedia(home: ChatStack | undefined): Media {
  if (!home?.media) throw new Error('A secondary region needs its home stack, which has the media');
  return home.media;
}
