/**
 * The handler pipeline without limits (`plainHttpHandler`), for the routes that touch no AWS service (health,
 * the JWKS, OpenAPI): their bundles stay free of the DynamoDB client. Every other route uses `httpHandler`
 * (handler.ts), which adds the route's limits. Builds a Lambda handler for one route of the route table. The pipeline (middy): structured request log,
 * problem+json errors, authentication, body/query/path validation, then the route's own function, whose
 * result is filtered through the route's response schema so nothing unlisted (a password hash) is ever sent.
 */
import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { type GenericSchema, type InferInput, type InferOutput, parse } from 'valibot';
import { readAccessToken, requireTokenJwks, tokenFromAuthorizationHeader } from '../auth/access-tokens';
import type { LimitSubjects, RequestLimits } from '../limits/fields';
import { injectLambdaContext, logger } from '../logger';
import type { RouteDefinition } from '../route-definition';
import { errorToProblem } from './problem-responses';
import { readJsonBody } from './request-body';
import { validate } from './validate';

type Parsed<T> = T extends GenericSchema ? InferOutput<T> : undefined;
type RequestParts<R extends RouteDefinition> = NonNullable<R['request']>;

export interface HttpRequest<R extends RouteDefinition> {
  body: Parsed<RequestParts<R>['body']>;
  query: Parsed<RequestParts<R>['query']>;
  params: Parsed<RequestParts<R>['params']>;
  /** The verified caller: present exactly when the route requires a user. */
  callerId: R['auth'] extends 'user' ? string : undefined;
  /** The session the caller's access token belongs to (its `sid`); undefined for tokens issued without one. */
  sessionId: string | undefined;
  /** The route's limits: the pipeline has counted the `pipeline` ones; `domain` ones are taken here. */
  limits: RequestLimits;
  event: APIGatewayProxyEventV2;
}

type ResponseBody<R extends RouteDefinition> = R['response']['schema'] extends GenericSchema
  ? InferInput<R['response']['schema']>
  : unknown;

export interface HttpReply<R extends RouteDefinition> {
  /** Defaults to the route's success status. */
  status?: number;
  body?: ResponseBody<R>;
  /** A JSON body already encoded (e.g. a document compressed at build time), sent as it is instead of `body`. */
  encoded?: { body: string; base64: boolean };
  headers?: Record<string, string>;
}

type Result = APIGatewayProxyStructuredResultV2 & { statusCode: number };
type AuthenticatedEvent = APIGatewayProxyEventV2 & { callerId?: string; sessionId?: string };

/** One JSON log line per request: who, what, outcome, how long. Never bodies, headers or tokens. */
const requestLog = (): MiddlewareObj<AuthenticatedEvent, Result> => {
  const started = new WeakMap<object, number>();
  const write = (event: AuthenticatedEvent, status: number | undefined, start: number | undefined) => {
    logger.info('request', {
      requestId: event.requestContext?.requestId,
      route: event.routeKey,
      path: event.rawPath,
      status,
      latencyMs: start === undefined ? undefined : Math.round(performance.now() - start),
      callerId: event.callerId,
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

const problemResponses = (): MiddlewareObj<AuthenticatedEvent, Result> => ({
  onError: (request) => {
    request.response = errorToProblem(request.error);
  },
});

/**
 * Every API answer, errors included: not stored by browsers or shared caches (they hold private data and
 * tokens), and never content-sniffed. A route that is public and cacheable (the JWKS) sets its own
 * Cache-Control, which wins.
 */
const securityHeaders = (): MiddlewareObj<AuthenticatedEvent, Result> => {
  // Header names are lower case throughout (handlers, problem responses), so a spread overrides by name.
  const add = ({ response }: { response: Result | null | undefined }) => {
    if (response && typeof response === 'object') {
      response.headers = {
        'cache-control': 'no-store',
        ...response.headers,
        'x-content-type-options': 'nosniff',
      };
    }
  };
  return { after: add, onError: add };
};

/** For routes without limits: nothing to count, and asking for a limit is a bug. */
const NO_LIMITS: RequestLimits = {
  takePipelineLimits: async () => undefined,
  take: async (name) => {
    throw new Error(`This route has no limits (asked for "${name}")`);
  },
  configured: () => undefined,
  report: () => undefined,
  headers: () => ({}),
};

export type LimitsFor = (route: RouteDefinition, subjects: LimitSubjects) => RequestLimits;

const authenticate = (): MiddlewareObj<AuthenticatedEvent, Result> => ({
  before: async (request) => {
    const token = tokenFromAuthorizationHeader(request.event.headers?.authorization);
    const claims = readAccessToken(token);
    request.event.callerId = claims.sub;
    // Our own signed claim: a string when present.
    request.event.sessionId = claims.sid as string | undefined;
  },
});

export function plainHttpHandler<const R extends RouteDefinition>(
  route: R,
  run: (request: HttpRequest<R>) => Promise<HttpReply<R> | undefined>,
  limitsFor: LimitsFor = () => NO_LIMITS,
) {
  /**
   * Writes count their limits before any work; reads count in parallel with the work and throw its result
   * away when refused, so a limit adds no sequential round trip to a read.
   */
  const limited = async (event: AuthenticatedEvent): Promise<Result> => {
    const limiter = limitsFor(route, { user: event.callerId, ip: event.requestContext?.http?.sourceIp });
    const counted = limiter.takePipelineLimits();
    if (route.method !== 'GET') await counted;
    else counted.catch(() => undefined); // awaited below; this only keeps it from being "unhandled"
    let result: Result;
    try {
      result = await core(event, limiter);
    } catch (error) {
      await counted;
      throw error;
    }
    await counted;
    return { ...result, headers: { ...result.headers, ...limiter.headers() } };
  };

  const core = async (event: AuthenticatedEvent, limits: RequestLimits): Promise<Result> => {
    const parts = route.request ?? {};
    const request = {
      body: parts.body ? validate(parts.body, readJsonBody(event), 'body') : undefined,
      query: parts.query ? validate(parts.query, event.queryStringParameters ?? {}, 'query') : undefined,
      params: parts.params ? validate(parts.params, event.pathParameters ?? {}, 'path') : undefined,
      callerId: event.callerId,
      sessionId: event.sessionId,
      limits,
      event,
    } as HttpRequest<R>;
    const reply = (await run(request)) ?? {};
    const status = reply.status ?? route.response.status;
    if (reply.encoded) {
      return {
        statusCode: status,
        headers: { 'content-type': 'application/json', ...reply.headers },
        body: reply.encoded.body,
        isBase64Encoded: reply.encoded.base64,
      };
    }
    const schema = route.response.schema;
    if (status === 204 || reply.body === undefined) {
      return { statusCode: status, headers: { ...reply.headers } };
    }
    const body = schema ? parse(schema, reply.body) : reply.body;
    return {
      statusCode: status,
      headers: { 'content-type': 'application/json', ...reply.headers },
      body: JSON.stringify(body),
    };
  };

  const handler = middy<AuthenticatedEvent, Result, Error, Context>()
    .use(injectLambdaContext())
    .use(requestLog())
    // Before problemResponses in this list, so it runs after it and sees the problem response.
    .use(securityHeaders())
    .use(problemResponses());
  if (route.auth === 'user') {
    requireTokenJwks(); // at load: a function that cannot verify tokens must not start
    handler.use(authenticate());
  }
  return handler.handler(limited);
}
