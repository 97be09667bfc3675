/**
 * A local stand-in for API Gateway HTTP API: matches the route table, builds payload-format-2.0 events, calls
 * the real handlers in-process and writes their results back, the way API Gateway would.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { corsResponseHeaders, preflightHeaders } from '../functions/shared/cors';
import { ValidationError } from '../functions/shared/errors';
import { errorToProblem } from '../functions/shared/http/problem-responses';
import type { RouteDefinition } from '../functions/shared/route-definition';

export type LambdaHttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyResultV2>;

interface CompiledRoute {
  route: RouteDefinition;
  routeKey: string;
  method: string;
  pattern: RegExp;
  paramNames: string[];
  /** Static segments win over path parameters, as in API Gateway (`/users/me` before `/users/{id}`). */
  specificity: number;
}

const API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

function compile(route: RouteDefinition): CompiledRoute[] {
  return [route.path, ...(route.aliases ?? [])].map((path) => {
    const paramNames: string[] = [];
    const segments = path.split('/').filter(Boolean);
    const pattern = segments
      .map((segment) => {
        const param = /^\{(.+)\}$/.exec(segment);
        if (!param?.[1]) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        paramNames.push(param[1]);
        return '([^/]+)';
      })
      .join('/');
    return {
      route,
      routeKey: `${route.method} ${path}`,
      method: route.method,
      pattern: new RegExp(`^/${pattern}/?$`),
      paramNames,
      specificity: segments.length * 10 - paramNames.length,
    };
  });
}

function safeDecode(segment: string | undefined): string | undefined {
  try {
    return decodeURIComponent(segment ?? '');
  } catch {
    return undefined;
  }
}

export function lambdaContext(functionName: string, requestId: string): Context {
  const deadline = Date.now() + 29_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function readBody(request: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= API_GATEWAY_MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > API_GATEWAY_MAX_BODY_BYTES ? 'too-large' : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

const isTextual = (contentType: string) =>
  contentType === '' ||
  /^(text\/|application\/([a-z0-9.+-]*\+)?(json|xml|x-www-form-urlencoded|javascript))/i.test(contentType);

function send(
  response: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body?: string | Buffer,
) {
  response.writeHead(status, headers);
  response.end(body);
}

export function buildEvent(
  request: IncomingMessage,
  url: URL,
  match: { routeKey: string; pathParameters: Record<string, string> | undefined },
  body: Buffer,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && name !== 'cookie')
      headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams)
    query[name] = name in query ? `${query[name]},${value}` : value;
  const contentType = headers['content-type'] ?? '';
  const textual = isTextual(contentType);
  const requestId = randomUUID();
  const now = new Date();
  const cookies = request.headers.cookie?.split(';').map((cookie) => cookie.trim());
  return {
    version: '2.0',
    routeKey: match.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    ...(cookies ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(match.pathParameters ? { pathParameters: match.pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0] ?? 'localhost',
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: match.routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length ? { body: textual ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !textual,
  };
}

export interface HttpGatewayOptions {
  routes: readonly RouteDefinition[];
  handlers: ReadonlyMap<string, LambdaHttpHandler>;
  /** Origins whose pages may read responses (CORS), as the HTTP API's CORS configuration lists them on AWS. */
  allowedOrigins?: readonly string[];
}

export function createHttpGateway({ routes, handlers, allowedOrigins = [] }: HttpGatewayOptions): Server {
  const compiled = routes.flatMap(compile).sort((a, b) => b.specificity - a.specificity);

  return createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? '/', `http://${request.headers.host ?? 'localhost'}`);
      const cors = corsResponseHeaders(request.headers.origin, allowedOrigins);
      if (request.method === 'OPTIONS' && request.headers['access-control-request-method']) {
        // A preflight from an origin that is not allowed gets no CORS headers: the browser stops there.
        const allowed = 'access-control-allow-origin' in cors;
        return send(response, 204, { ...cors, ...(allowed ? preflightHeaders() : {}) });
      }
      let matched: { entry: CompiledRoute; params: string[] } | undefined;
      for (const entry of compiled) {
        const params = entry.pattern.exec(url.pathname);
        if (params && entry.method === request.method) {
          matched = { entry, params: params.slice(1) };
          break;
        }
      }
      if (!matched) {
        return send(
          response,
          404,
          { 'content-type': 'application/json', ...cors },
          '{"message":"Not Found"}',
        );
      }
      const body = await readBody(request);
      if (body === 'too-large') {
        return send(
          response,
          413,
          { 'content-type': 'application/json', ...cors },
          '{"message":"Request Entity Too Large"}',
        );
      }
      const { entry, params } = matched;
      const decoded = params.map(safeDecode);
      if (decoded.includes(undefined)) {
        // Answered here, before any function: a path parameter that does not decode is the client's error,
        // described like every other bad input. (On AWS, API Gateway decodes the path itself; docs/architecture.md.)
        const problem = errorToProblem(
          new ValidationError('The path is not valid: it has a malformed percent-encoding.', [
            { field: '(path)', message: 'has a malformed percent-encoding' },
          ]),
        );
        return send(response, 400, { ...problem.headers, ...cors }, (problem as { body: string }).body);
      }
      const pathParameters = entry.paramNames.length
        ? Object.fromEntries(entry.paramNames.map((name, i) => [name, decoded[i] ?? '']))
        : undefined;
      const event = buildEvent(request, url, { routeKey: entry.routeKey, pathParameters }, body);
      const handler = handlers.get(entry.route.name);
      if (!handler) throw new Error(`No handler loaded for route ${entry.route.name}`);
      const result = await handler(event, lambdaContext(entry.route.name, event.requestContext.requestId));
      writeResult(response, result, cors);
    } catch (error) {
      // What API Gateway answers when the integration fails: the cause stays in the server log.
      console.error('[gateway] handler failed', error);
      if (!response.headersSent)
        send(response, 500, { 'content-type': 'application/json' }, '{"message":"Internal Server Error"}');
    }
  });
}

function writeResult(
  response: ServerResponse,
  result: APIGatewayProxyResultV2,
  cors: Record<string, string>,
) {
  if (
    typeof result === 'string' ||
    typeof result !== 'object' ||
    result === null ||
    !('statusCode' in result)
  ) {
    // Payload 2.0: anything that is not a response object is a 200 JSON body.
    return send(response, 200, { 'content-type': 'application/json', ...cors }, JSON.stringify(result));
  }
  const headers: Record<string, string | string[]> = { ...cors };
  for (const [name, value] of Object.entries(result.headers ?? {}))
    headers[name.toLowerCase()] = String(value);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  const body =
    result.body === undefined
      ? undefined
      : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(body);
}
