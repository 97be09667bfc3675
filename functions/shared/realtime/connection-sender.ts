/**
 * Posting to one WebSocket connection. On AWS (and locally: the local gateway emulates the same endpoint) it
 * is the API Gateway management API; tests inject their own sender.
 */
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { config } from '../config';

/** `gone`: the connection no longer exists (410), so it can be forgotten. Any other failure throws. */
export type PostOutcome = 'sent' | 'gone';

export interface ConnectionSender {
  post(connectionId: string, data: string): Promise<PostOutcome>;
  /** Closes the connection (API Gateway closes it with 1000); a connection already gone is no error. */
  close(connectionId: string): Promise<void>;
}

const isGone = (error: unknown) =>
  error instanceof Error &&
  (error.name === 'GoneException' ||
    (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 410);

/** Closes connections (API Gateway's DeleteConnection); one already gone is closed too. */
export interface ConnectionCloser {
  close(connectionId: string): Promise<void>;
}

export class ManagementApiSender implements ConnectionSender, ConnectionCloser {
  private readonly client: ApiGatewayManagementApiClient;
  private readonly encoder = new TextEncoder();

  /** `endpoint`: `https://{apiId}.execute-api.{region}.amazonaws.com/{stage}`. */
  constructor(endpoint: string) {
    // One retry at most: a slow connection must not hold up delivery to the others for long.
    this.client = new ApiGatewayManagementApiClient({ endpoint, maxAttempts: 2 });
  }

  async post(connectionId: string, data: string): Promise<PostOutcome> {
    try {
      await this.client.send(
        new PostToConnectionCommand({ ConnectionId: connectionId, Data: this.encoder.encode(data) }),
      );
      return 'sent';
    } catch (error) {
      if (isGone(error)) return 'gone';
      throw error;
    }
  }

  async close(connectionId: string): Promise<void> {
    try {
      await this.client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  }
}

let shared: ManagementApiSender | undefined;

/**
 * The sender for this function's WebSocket API, or undefined when the function was given none
 * (WEBSOCKET_CALLBACK_URL unset: a function that posts to no connection).
 */
export function managementApiSender(): (ConnectionSender & ConnectionCloser) | undefined {
  if (!config.websocketCallbackUrl) return undefined;
  shared ??= new ManagementApiSender(config.websocketCallbackUrl);
  return shared;
}
