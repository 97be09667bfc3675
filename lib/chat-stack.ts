/**
 * The deployed product: the table, media storage and CDN, the token signing keys, the HTTP and WebSocket APIs,
 * the stream processor, and the web app.
 */
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { routes } from '../functions/shared/routes';
import { webSocketRoutes } from '../functions/shared/ws-routes';
import { ChatTable } from './constructs/chat-table';
import { DeadLetters } from './constructs/dead-letters';
import { ChatHttpApi } from './constructs/http-api';
import { Media } from './constructs/media';
import { StreamProcessor } from './constructs/stream-processor';
import { TokenSigningKeys } from './constructs/token-keys';
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
}

export class ChatStack extends Stack {
  constructor(scope: Construct, id: string, props: ChatStackProps = {}) {
    super(scope, id, props);

    const removalPolicy = props.tableRemovalPolicy ?? RemovalPolicy.RETAIN;
    const { table } = new ChatTable(this, 'Data', { removalPolicy });
    const deadLetters = new DeadLetters(this, 'DeadLetters');
    const media = new Media(this, 'Media', { table, removalPolicy, deadLetterQueue: deadLetters.queue });

    // Generated at deploy into Secrets Manager: the private keys never exist in code, templates or config.
    const tokenKeys = new TokenSigningKeys(this, 'TokenKeys', { generation: props.tokenKeyGeneration });

    const webSocket = new ChatWebSocketApi(this, 'Ws', { routes: webSocketRoutes, table, tokenKeys });
    const web = new WebApp(this, 'Web', {
      webSocketEndpoint: webSocket.api.apiEndpoint,
      mediaCdnUrl: media.baseUrl,
      mediaBucket: media.bucket,
    });
    const http = new ChatHttpApi(this, 'Http', {
      routes,
      table,
      tokenKeys,
      media,
      environment: props.maxGroupMembers ? { MAX_GROUP_MEMBERS: String(props.maxGroupMembers) } : {},
      allowedOrigins: [web.url, ...(props.allowedOrigins ?? [])],
    });
    web.deployRuntimeConfig({
      apiUrl: http.api.apiEndpoint,
      wsUrl: webSocket.stage.url,
      cdnUrl: media.baseUrl,
    });
    const streams = new StreamProcessor(this, 'Streams', {
      table,
      webSocket,
      deadLetterQueue: deadLetters.queue,
      // Real-time events show media messages as the HTTP API does: with signed CDN URLs. The bucket: replaced
      // profile pictures are deleted from the stream.
      environment: {
        CDN_BASE_URL: media.baseUrl,
        CDN_KEY_PAIR_ID: media.publicKey.publicKeyId,
        CDN_PRIVATE_KEY_SECRET_ARN: media.signingKeySecret.secretArn,
        MEDIA_BUCKET: media.bucket.bucketName,
      },
    });
    media.signingKeySecret.grantRead(streams.handler.role);
    media.grantDeleteProfilePictures(streams.handler.role);

    new CfnOutput(this, 'WebUrl', { value: web.url, description: 'The web app (served by CloudFront)' });
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
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      value: deadLetters.queue.queueUrl,
      description: 'What still failed after its retries; replay with npm run redrive (docs/operations.md)',
    });
  }
}
