/**
 * The synthesized WebSocket API against its source of truth, the WebSocket route table: route keys, two-way
 * routes, handlers that resolve, and least privilege (table actions, signing key, ManageConnections).
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, RemovalPolicy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_SELECTION_EXPRESSION, webSocketRoutes } from '../../functions/shared/ws-routes';
import { ChatStack } from '../../lib/chat-stack';
import { webSocketFunctionIdFor } from '../../lib/constructs/websocket-api';

type Resource = { Type: string; Properties: Record<string, any> };
type Statement = { Action: string | string[]; Resource: unknown };

let template: Template;
let resources: Record<string, Resource>;
let apiId: string;

beforeAll(() => {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'cdk-')) });
  const stack = new ChatStack(app, 'Test', { tableRemovalPolicy: RemovalPolicy.DESTROY });
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources;
  const apis = Object.entries(resources).filter(
    ([, resource]) =>
      resource.Type === 'AWS::ApiGatewayV2::Api' && resource.Properties.ProtocolType === 'WEBSOCKET',
  );
  expect(apis).toHaveLength(1);
  apiId = apis[0]?.[0] as string;
});

const ofWebSocketApi = (type: string) =>
  Object.entries(resources).filter(
    ([, resource]) => resource.Type === type && resource.Properties.ApiId?.Ref === apiId,
  );

function functionOf(route: (typeof webSocketRoutes)[number]): [string, Resource] {
  const prefix = `Ws${webSocketFunctionIdFor(route)}Function`;
  const found = Object.entries(resources).filter(
    ([id, resource]) => resource.Type === 'AWS::Lambda::Function' && id.startsWith(prefix),
  );
  expect(found).toHaveLength(1);
  return found[0] as [string, Resource];
}

function statementsOfRole(roleId: string): Statement[] {
  const policies = Object.values(resources).filter(
    (resource) =>
      resource.Type === 'AWS::IAM::Policy' &&
      (resource.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId),
  );
  expect(policies).toHaveLength(1);
  return policies[0]?.Properties.PolicyDocument.Statement ?? [];
}

const actionsOf = (statement: Statement) =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

/** An ARN ManageConnections may be granted on: POST (post) or DELETE (close) of this API's stage's connections. */
const connectionsArn = (method: 'POST' | 'DELETE', stage = 'v1') => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':execute-api:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      ':',
      { Ref: apiId },
      `/${stage}/${method}/@connections/*`,
    ],
  ],
});

/** Posting events and closing connections (token expired, connection limit, session ended), nothing else. */
const postToConnections = () => [connectionsArn('POST'), connectionsArn('DELETE')];

describe('WebSocket API routes', () => {
  it('routes by the action field', () => {
    expect(resources[apiId]?.Properties.RouteSelectionExpression).toBe(ROUTE_SELECTION_EXPRESSION);
  });

  it('has exactly the route keys of the WebSocket route table', () => {
    const deployed = ofWebSocketApi('AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties.RouteKey);
    expect(deployed.sort()).toEqual(webSocketRoutes.map((route) => route.routeKey).sort());
  });

  it('answers the caller (a route response) on exactly the two-way routes', () => {
    const routeIdByKey = new Map(
      ofWebSocketApi('AWS::ApiGatewayV2::Route').map(([id, route]) => [
        route.Properties.RouteKey as string,
        id,
      ]),
    );
    const responding = ofWebSocketApi('AWS::ApiGatewayV2::RouteResponse').map(
      ([, response]) => response.Properties.RouteId.Ref as string,
    );
    const twoWay = webSocketRoutes.filter((route) => route.returnsResponse).map((route) => route.routeKey);
    expect(responding.sort()).toEqual(twoWay.map((key) => routeIdByKey.get(key)).sort());
  });

  it.each(webSocketRoutes.map((route) => [route.routeKey, route] as const))(
    'sends %s to a function whose entry file exists and exports `handler`',
    async (routeKey, route) => {
      const entry = join('functions', 'ws', `${route.name}.ts`);
      expect(existsSync(entry)).toBe(true);
      process.env.TABLE_NAME ??= 'infra-test';
      const module = (await import(/* @vite-ignore */ pathToFileURL(resolve(entry)).href)) as {
        handler?: unknown;
      };
      expect(typeof module.handler).toBe('function');

      const [functionId, fn] = functionOf(route);
      expect(fn.Properties).toMatchObject({
        Handler: 'index.handler',
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
      });
      const [[, deployed] = []] = ofWebSocketApi('AWS::ApiGatewayV2::Route').filter(
        ([, candidate]) => candidate.Properties.RouteKey === routeKey,
      );
      const integrationId = deployed?.Properties.Target['Fn::Join'][1][1].Ref as string;
      expect(JSON.stringify(resources[integrationId]?.Properties.IntegrationUri)).toContain(
        `"${functionId}"`,
      );
      expect(resources[integrationId]?.Properties.IntegrationType).toBe('AWS_PROXY');
    },
  );

  it('deploys a stage automatically, throttled, with access logs, and outputs its URL', () => {
    const [[, stage] = []] = ofWebSocketApi('AWS::ApiGatewayV2::Stage');
    expect(stage?.Properties).toMatchObject({
      StageName: 'v1',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: expect.any(Number),
        ThrottlingBurstLimit: expect.any(Number),
      },
      AccessLogSettings: {
        DestinationArn: expect.anything(),
        Format: expect.stringContaining('$context.connectionId'),
      },
    });
    template.hasOutput('WebSocketUrl', {});
  });
});

describe('IAM: least privilege per WebSocket function', () => {
  it.each(webSocketRoutes.map((route) => [route.routeKey, route] as const))(
    'grants %s exactly its declared table actions (table only), key access and connection management',
    (_key, route) => {
      const [, fn] = functionOf(route);
      const statements = statementsOfRole(fn.Properties.Role['Fn::GetAtt'][0]);
      const all = statements.flatMap(actionsOf);

      expect(all.filter((action) => action.startsWith('dynamodb:')).sort()).toEqual(
        [...route.access.table].sort(),
      );
      for (const statement of statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')))) {
        expect(statement.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DataTable/), 'Arn'] });
      }
      // No WebSocket function reads a secret: $connect verifies with the public keys in its environment.
      expect(all.filter((action) => action.startsWith('secretsmanager:'))).toEqual([]);
      const manage = statements.filter((statement) =>
        actionsOf(statement).some((a) => a.startsWith('execute-api:')),
      );
      if (route.access.manageConnections) {
        expect(manage).toEqual([
          { Action: 'execute-api:ManageConnections', Effect: 'Allow', Resource: postToConnections() },
        ]);
      } else {
        expect(manage).toEqual([]);
      }
      expect(JSON.stringify(statements)).not.toMatch(/"dynamodb:\*"|"execute-api:\*"|"execute-api:Invoke"/);
    },
  );

  it('passes the callback URL only to functions that post, and the public token keys only to those that verify', () => {
    for (const route of webSocketRoutes) {
      const variables = functionOf(route)[1].Properties.Environment.Variables;
      expect('WEBSOCKET_CALLBACK_URL' in variables).toBe(route.access.manageConnections);
      expect('TOKEN_JWKS' in variables).toBe(route.access.verifiesTokens);
      expect('TOKEN_SIGNING_KEY_SECRET_ARN' in variables).toBe(false);
    }
  });

  it('lets the table-stream function post to and close the same connections, and nothing else of the API', () => {
    const [[, fn] = []] = Object.entries(resources).filter(
      ([id, resource]) =>
        resource.Type === 'AWS::Lambda::Function' && id.startsWith('StreamsTableStreamFunction'),
    );
    const statements = statementsOfRole(fn?.Properties.Role['Fn::GetAtt'][0]);
    const manage = statements.filter((statement) =>
      actionsOf(statement).some((a) => a.startsWith('execute-api:')),
    );

    expect(manage).toEqual([
      { Action: 'execute-api:ManageConnections', Effect: 'Allow', Resource: postToConnections() },
    ]);
    expect(fn?.Properties.Environment.Variables.WEBSOCKET_CALLBACK_URL).toEqual({
      'Fn::Join': [
        '',
        [
          'https://',
          { Ref: apiId },
          '.execute-api.',
          { Ref: 'AWS::Region' },
          '.',
          { Ref: 'AWS::URLSuffix' },
          '/v1',
        ],
      ],
    });
  });
});
