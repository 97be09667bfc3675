import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../functions/shared/openapi';
import { routes } from '../../functions/shared/routes';
import { undocumentedAnswer } from '../support/openapi-contract';

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

  type Responses = Record<string, { content?: Record<string, unknown> }>;
  const responsesOf = (path: string, method: string) =>
    ((document.paths[path]?.[method] ?? { responses: {} }) as { responses: Responses }).responses;

  it('lists the statuses a generated client must know beyond the main one', () => {
    expect(Object.keys(responsesOf('/login', 'post'))).toContain('401');
    expect(Object.keys(responsesOf('/token/refresh', 'post'))).toContain('401');
    expect(responsesOf('/conversations', 'post')['200']?.content).toEqual(
      responsesOf('/conversations', 'post')['201']?.content,
    );
    expect(Object.keys(responsesOf('/conversations/{id}/messages', 'post'))).toEqual(
      expect.arrayContaining(['200', '201']),
    );
    expect(Object.keys(responsesOf('/messages', 'post'))).toEqual(expect.arrayContaining(['200', '201']));
  });

  it('lists for every operation the statuses every route can answer, and those of its body and auth', () => {
    for (const route of routes) {
      const statuses = Object.keys(responsesOf(route.path, route.method.toLowerCase()));
      expect(statuses, route.name).toEqual(expect.arrayContaining(['400', '429', '500', '503']));
      if (route.auth === 'user') expect(statuses, route.name).toContain('401');
      if (route.request?.body) expect(statuses, route.name).toEqual(expect.arrayContaining(['413', '415']));
      for (const status of route.errors ?? []) expect(statuses, route.name).toContain(String(status));
    }
  });

  it("describes API Gateway's own answers (throttling, huge bodies, crashes) as the JSON it sends", () => {
    const signUp = responsesOf('/users', 'post');
    for (const status of ['413', '429', '500']) {
      expect(Object.keys(signUp[status]?.content ?? {})).toEqual([
        'application/problem+json',
        'application/json',
      ]);
    }
    expect(Object.keys(signUp['409']?.content ?? {})).toEqual(['application/problem+json']);
  });

  it("passes Redocly's recommended rules with no error and no warning (redocly.yaml)", () => {
    const cli = 'node_modules/@redocly/cli/bin/cli.js';
    const result = spawnSync(process.execPath, [cli, 'lint', 'docs/openapi.json', '--format', 'json'], {
      encoding: 'utf8',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    });
    const report = JSON.parse(result.stdout) as {
      totals: { errors: number; warnings: number };
      problems: { ruleId: string; message: string }[];
    };
    expect(report.problems.map((problem) => `${problem.ruleId}: ${problem.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it('backs the check every e2e request makes: an answer the document does not list is refused', () => {
    expect(undocumentedAnswer('POST', '/login', 401, 'application/problem+json')).toBeUndefined();
    expect(undocumentedAnswer('POST', '/login', 404, 'application/problem+json')).toMatch(
      /POST \/login answered 404, which docs\/openapi.json does not list/,
    );
    expect(undocumentedAnswer('GET', '/users/01ABC', 200, 'text/html')).toMatch(/as text\/html/);
    expect(undocumentedAnswer('GET', '/users/me', 200, 'application/json; charset=utf-8')).toBeUndefined();
    expect(undocumentedAnswer('GET', '/nowhere', 404, 'application/json')).toBeUndefined();
  });
});
