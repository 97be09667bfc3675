/**
 * Builds a Lambda handler for one route of the WebSocket route table. The pipeline (middy): structured log
 * line per event, then the route's own function; typed errors become their status (a $connect answered 401
 * refuses the connection), anything else a 500 whose cause stays in the log. On a two-way route the error
 * is also told to the caller as an `error` event.
 */
import middy, { type MiddlewareObj } from '@middy/core';
import type {
  APIGatewayEventWebsocketRequestContextV2,
  APIGatewayProxyWebsocketEventV2,
  Context,
} from 'aws-lambda';
import { AppError } from '../errors';
import { injectLambdaContext, logger } from '../logger';
import type { RealtimeEvent } from '../schemas/realtime';
import type { WebSocketRouteDefinition } from '../ws-routes';

/**
 * What API Gateway sends a WebSocket route's Lambda proxy integration. `headers` and the query string are
 * only on $connect; `disconnectStatusCode` only on $disconnect.
 */
export type WebSocketEvent = APIGatewayProxyWebsocketEventV2 & {
  headers?: Record<string, string | undefined>;
  multiValueHeaders?: Record<string, string[] | undefined>;
  requestContext: APIGatewayEventWebsocketRequestContextV2 & {
    identity?: { sourceIp?: string; userAgent?: string };
    disconnectStatusCode?: number;
    disconnectReason?: string;
  };
};

export interface WebSocketResult {
  statusCode: number;
  headers?: Record<string, string>;
  /** Sent to the caller on a two-way route; ignored on the others. */
  body?: string;
}

type LoggedEvent = WebSocketEvent & { userId?: string };

export const eventBody = (event: RealtimeEvent) => JSON.stringify(event);

/** One JSON log line per event: route, connection, outcome, how long. Never bodies, headers or tokens. */
const eventLog = (): MiddlewareObj<LoggedEvent, WebSocketResult> => {
  const started = new WeakMap<object, number>();
  const write = (event: LoggedEvent, status: number | undefined, start: number | undefined) => {
    logger.info('websocket', {
      requestId: event.requestContext?.requestId,
      route: event.requestContext?.routeKey,
      eventType: event.requestContext?.eventType,
      connectionId: event.requestContext?.connectionId,
      status,
      latencyMs: start === undefined ? undefined : Math.round(performance.now() - start),
      userId: event.userId,
    });
  };
  return {
    before: (request) => {
      started.set(request, performance.now());
    },
    after: (request) => write(request.event, request.response?.statusCode, started.get(request)),
    onError: (request) => write(request.event, request.response?.statusCode, started.get(request)),
  };
};

const errorResults = (route: WebSocketRouteDefinition): MiddlewareObj<LoggedEvent, WebSocketResult> => ({
  onError: (request) => {
    const { error } = request;
    const known = error instanceof AppError;
    if (!known) logger.error('websocket handler failed', { route: route.routeKey, error: error as Error });
    const statusCode = known ? error.status : 500;
    const message = known ? error.message : 'Internal server error';
    request.response = {
      statusCode,
      ...(route.returnsResponse ? { body: eventBody({ type: 'error', message }) } : {}),
    };
  },
});

export function wsHandler(
  route: WebSocketRouteDefinition,
  run: (event: LoggedEvent) => Promise<WebSocketResult>,
) {
  return middy<LoggedEvent, WebSocketResult, Error, Context>()
    .use(injectLambdaContext())
    .use(eventLog())
    .use(errorResults(route))
    .handler(run);
}
