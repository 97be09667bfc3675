import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../functions/shared/openapi';
import { routes } from '../../functions/shared/routes';

describe('OpenAPI document', () => {
  const document = buildOpenApiDocument();

  it('documents every route and alias of the route table with its method', () => {
    for (const route of routes) {
      for (const path of [route.path, ...(route.aliases ?? [])]) {
        expect(document.paths[path]?.[route.method.toLowerCase()], `${route.method} ${path}`).toBeDefined();
      }
    }
  });

  it('is committed under docs/ exactly as generated (run `npm run openapi` after changing a schema)', () => {
    const committed = JSON.parse(readFileSync('docs/openapi.json', 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(document)));
  });

  it('describes request bodies with the schemas that validate them, unknown fields forbidden', () => {
    const signUp = document.paths['/users']?.post as {
      requestBody: { content: Record<string, { schema: unknown }> };
    };
    expect(signUp.requestBody.content['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/SignUpRequest',
    });
    expect(document.components.schemas.SignUpRequest).toMatchObject({
      additionalProperties: false,
      required: ['username', 'password'],
      properties: { username: { minLength: 3, maxLength: 32 } },
    });
  });
});
