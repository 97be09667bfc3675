/**
 * Generates the OpenAPI 3.1 document from the route table and the same valibot schemas that validate
 * requests, so the reference can never drift from the behaviour. `npm run openapi` writes it to
 * docs/openapi.json.
 */
import { brotliCompressSync, constants } from 'node:zlib';
import { PROBLEM_TYPE_PREFIX } from './errors';
import { type JsonSchema, jsonSchemaConverter } from './json-schema';
import type { RouteDefinition } from './route-definition';
import { routes } from './routes';
import { problemSchema } from './schemas/common';

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is not valid (the failing fields are listed in `errors`)',
  401: 'Missing, expired or invalid credentials',
  403: 'The caller may not do this',
  404: 'Not found (or not visible to the caller)',
  409: 'Conflicts with the current state',
  410: 'Gone: the cursor is older than the retention window, or unknown; resync fully (docs/realtime.md)',
  413: 'The request body is larger than 64 KB (over 10 MB, API Gateway answers itself, as `application/json`)',
  415: 'The request body is not application/json',
  429: "Too many requests: the stage's throttling (API Gateway's own `application/json` answer) or a route's limit",
  500: 'A bug on our side (API Gateway answers `application/json` itself if the function crashes)',
  503: 'A backing service is busy; retry after `Retry-After` seconds',
};

/** Answered by every route: bad input, throttling, a bug, a busy backing service. */
const ALWAYS = [400, 429, 500, 503];

/**
 * Statuses API Gateway may answer itself, before or instead of the function, with its own body
 * (`{"message": "..."}`, application/json): HTTP APIs cannot make these problem+json.
 */
const ALSO_FROM_GATEWAY = new Set([413, 429, 500]);

export function buildOpenApiDocument() {
  const { toSchema, components } = jsonSchemaConverter();

  const problemRef = toSchema(problemSchema, 'output');
  components.GatewayMessage = {
    type: 'object',
    description: "API Gateway's own error body (throttling, a body over 10 MB, a crashed function)",
    properties: { message: { type: 'string' } },
    required: ['message'],
  };
  const paths: Record<string, Record<string, unknown>> = {};

  const operation = (route: RouteDefinition, path: string, deprecated: boolean) => {
    const parameters: unknown[] = [];
    const params = route.request?.params
      ? (toSchema(route.request.params, 'output') as { properties?: Record<string, JsonSchema> })
      : undefined;
    for (const [name, schema] of Object.entries(params?.properties ?? {})) {
      parameters.push({ name, in: 'path', required: true, schema });
    }
    const query = route.request?.query
      ? (toSchema(route.request.query, 'output') as {
          properties?: Record<string, JsonSchema>;
          required?: string[];
        })
      : undefined;
    for (const [name, schema] of Object.entries(query?.properties ?? {})) {
      parameters.push({ name, in: 'query', required: query?.required?.includes(name) ?? false, schema });
    }
    const statuses = new Set<number>([...ALWAYS, ...(route.errors ?? [])]);
    if (route.auth === 'user') statuses.add(401);
    if (route.request?.body) {
      statuses.add(413);
      statuses.add(415);
    }
    const success = route.response.schema
      ? { content: { 'application/json': { schema: toSchema(route.response.schema, 'output') } } }
      : {};
    const responses: Record<string, unknown> = {
      [route.response.status]: { description: route.response.description, ...success },
    };
    for (const also of route.alsoReturns ?? []) {
      responses[also.status] = { description: also.description, ...success };
    }
    for (const status of [...statuses].sort()) {
      responses[status] = {
        description: ERROR_DESCRIPTIONS[status] ?? 'Error',
        content: {
          'application/problem+json': { schema: problemRef },
          ...(ALSO_FROM_GATEWAY.has(status)
            ? { 'application/json': { schema: { $ref: '#/components/schemas/GatewayMessage' } } }
            : {}),
        },
      };
    }
    return {
      operationId: deprecated ? `${route.name}-legacy-${path.replaceAll(/[^a-z]/g, '')}` : route.name,
      summary: route.summary,
      tags: [route.tag],
      ...(deprecated ? { deprecated: true } : {}),
      ...(route.auth === 'user' ? { security: [{ bearer: [] }] } : { security: [] }),
      ...(parameters.length ? { parameters } : {}),
      ...(route.request?.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: toSchema(route.request.body, 'input') } },
            },
          }
        : {}),
      responses,
    };
  };

  for (const route of routes) {
    for (const [index, path] of [route.path, ...(route.aliases ?? [])].entries()) {
      paths[path] ??= {};
      (paths[path] as Record<string, unknown>)[route.method.toLowerCase()] = operation(
        route,
        path,
        index > 0,
      );
    }
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Chat backend API',
      version: '1.0.0',
      description: `Errors are RFC 9457 problem details; their \`type\` is \`${PROBLEM_TYPE_PREFIX}<name>\`. A few answers come from API Gateway itself (\`{"message": "..."}\`, application/json): an unknown route (404), a body over 10 MB (413), throttling (429), a function that crashed (500); each operation lists the ones it can get.`,
      license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
    },
    servers: [
      // Relative: the API serving this document (GET /openapi.json), locally (`npm start`) or on AWS.
      { url: '/', description: 'The API that serves this document at /openapi.json' },
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
        description: 'A deployed stage: the stack output `ApiUrl`',
        variables: {
          apiId: { default: 'abc123defg', description: 'The HTTP API id' },
          region: { default: 'us-east-1', description: 'The region of the stage' },
        },
      },
    ],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'The access token from /login. Older clients may send the bare token without "Bearer ".',
        },
      },
      schemas: Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b))),
    },
    paths,
  };
}

/**
 * The document as `GET /openapi.json` serves it: minified JSON, brotli-compressed, base64. Computed when the
 * function is built (a build constant, see lib/bundling.ts), so the function carries neither the generator nor
 * the schemas, and its bundle stays a few KB however large the API grows.
 */
export function compressedOpenApiDocument(): string {
  const json = Buffer.from(JSON.stringify(buildOpenApiDocument()));
  return brotliCompressSync(json, {
    params: {
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: json.byteLength,
    },
  }).toString('base64');
}
