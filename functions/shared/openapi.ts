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
  413: 'The request body is larger than 64 KB',
  415: 'The request body is not application/json',
  429: 'Too many requests',
  503: 'A backing service is busy; retry after `Retry-After` seconds',
};

export function buildOpenApiDocument() {
  const { toSchema, components } = jsonSchemaConverter();

  const problemRef = toSchema(problemSchema, 'output');
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
    const statuses = new Set<number>([400, 503, ...(route.errors ?? [])]);
    if (route.auth === 'user') statuses.add(401);
    const responses: Record<string, unknown> = {
      [route.response.status]: {
        description: route.response.description,
        ...(route.response.schema
          ? { content: { 'application/json': { schema: toSchema(route.response.schema, 'output') } } }
          : {}),
      },
    };
    for (const status of [...statuses].sort()) {
      responses[status] = {
        description: ERROR_DESCRIPTIONS[status] ?? 'Error',
        content: { 'application/problem+json': { schema: problemRef } },
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
      description: `Errors are RFC 9457 problem details; their \`type\` is \`${PROBLEM_TYPE_PREFIX}<name>\`.`,
    },
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
