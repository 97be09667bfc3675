/** Real API Gateway HTTP API (payload 2.0) events for calling handlers directly in unit tests. */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { WebSocketEvent } from '../../functions/shared/ws/handler';

export function httpEvent(
  overrides: {
    routeKey?: string;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
    pathParameters?: Record<string, string>;
    queryStringParameters?: Record<string, string>;
  } = {},
): APIGatewayProxyEventV2 {
  const routeKey = overrides.routeKey ?? 'GET /health';
  const [method = 'GET', path = '/'] = routeKey.split(' ');
  const body =
    overrides.rawBody ?? (overrides.body === undefined ? undefined : JSON.stringify(overrides.body));
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...overrides.headers },
    ...(overrides.pathParameters ? { pathParameters: overrides.pathParameters } : {}),
    ...(overrides.queryStringParameters ? { queryStringParameters: overrides.queryStringParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'test',
      domainName: 'test.local',
      domainPrefix: 'test',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: 'test-request',
      routeKey,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: false,
  };
}

export const lambdaContext: Context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:test',
  memoryLimitInMB: '256',
  awsRequestId: 'test-request',
  logGroupName: '/aws/lambda/test',
  logStreamName: 'test',
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

/** A real API Gateway WebSocket event ($connect, $disconnect or a message) for calling ws handlers directly. */
export function webSocketEvent(
  routeKey: string,
  connectionId: string,
  overrides: { queryStringParameters?: Record<string, string>; body?: string } = {},
): WebSocketEvent {
  const eventType: WebSocketEvent['requestContext']['eventType'] =
    routeKey === '$connect' ? 'CONNECT' : routeKey === '$disconnect' ? 'DISCONNECT' : 'MESSAGE';
  const now = new Date();
  return {
    headers: { Host: 'test.local' },
    ...(overrides.queryStringParameters ? { queryStringParameters: overrides.queryStringParameters } : {}),
    ...(overrides.body === undefined ? {} : { body: overrides.body }),
    requestContext: {
      routeKey,
      eventType,
      messageId: eventType === 'MESSAGE' ? 'test-message' : '',
      extendedRequestId: 'test-request',
      requestTime: now.toUTCString(),
      messageDirection: 'IN',
      stage: 'test',
      connectedAt: now.getTime(),
      requestTimeEpoch: now.getTime(),
      identity: { sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: 'test-request',
      domainName: 'test.local',
      connectionId,
      apiId: 'test',
    },
    isBase64Encoded: false,
  };
}
