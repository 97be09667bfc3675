/**
 * The WebSocket API: one route per entry of the WebSocket route table, each to its own function with exactly
 * the table actions, secret access and connection management the entry declares.
 */
import { Aws, type CfnElement, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat, CfnAccount } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ROUTE_SELECTION_EXPRESSION, type WebSocketRouteDefinition } from '../../functions/shared/ws-routes';
import { ChatFunction } from './chat-function';
import { type TokenKeys, tokenKeyEnvironment } from './token-keys';

export interface WebSocketApiProps {
  routes: readonly WebSocketRouteDefinition[];
  table: dynamodb.ITableV2;
  tokenKeys: TokenKeys;
  /** The stage, the last segment of the URL (default `v1`). */
  stageName?: string;
  /** Stage throttling, per route across all connections; default 500 / 1000. */
  throttle?: { rateLimit: number; burstLimit: number };
  /**
   * Create and set the account-wide API Gateway logging role (default: no). Without it the account must
   * have one already, or the stage's access logging fails to deploy (README, "Deploying").
   */
  createApiGatewayLoggingRole?: boolean;
}

/**
 * Id of a WebSocket route's function construct, e.g. `connect` -> `ConnectRoute`. Suffixed: a construct
 * named `Default` would be its parent's default child and vanish from logical ids.
 */
export const webSocketFunctionIdFor = (route: WebSocketRouteDefinition) =>
  `${route.name.replace(/(^|-)([a-z0-9])/g, (_, __, letter: string) => letter.toUpperCase())}Route`;

export class ChatWebSocketApi extends Construct {
  readonly api: apigw.WebSocketApi;
  readonly stage: apigw.WebSocketStage;
  readonly functions = new Map<string, ChatFunction>();
  /** `https://{apiId}.execute-api.{region}.amazonaws.com/{stage}`: where functions post to connections. */
  readonly callbackUrl: string;
  /** What `execute-api:ManageConnections` is granted on: POST and DELETE of this stage's connections. */
  readonly manageConnectionsArns: string[];

  constructor(scope: Construct, id: string, props: WebSocketApiProps) {
    super(scope, id);
    const stageName = props.stageName ?? 'v1';
    this.api = new apigw.WebSocketApi(this, 'Api', {
      description: 'Chat backend WebSocket API: real-time delivery',
      routeSelectionExpression: ROUTE_SELECTION_EXPRESSION,
    });

    this.stage = new apigw.WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName,
      autoDeploy: true,
      // Per route, across all connections; typing is the chattiest (clients send it every few seconds).
      throttle: props.throttle ?? { rateLimit: 500, burstLimit: 1000 },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(
          new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.ONE_MONTH }),
        ),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            eventType: '$context.eventType',
            routeKey: '$context.routeKey',
            connectionId: '$context.connectionId',
            status: '$context.status',
            integrationLatencyMs: '$context.integrationLatency',
            error: '$context.error.message',
            ip: '$context.identity.sourceIp',
          }),
        ),
      },
    });
    if (props.createApiGatewayLoggingRole) this.stage.node.addDependency(this.apiGatewayLoggingRole());
    this.callbackUrl = this.stage.callbackUrl;
    // Pseudo parameters, not the stack's env: the ARN (and the cdk-nag finding acknowledged for it) reads
    // the same whether or not the stack is synthesized for a concrete account and region.
    this.manageConnectionsArns = ['POST', 'DELETE'].map(
      (method) =>
        `arn:${Aws.PARTITION}:execute-api:${Aws.REGION}:${Aws.ACCOUNT_ID}:${this.api.apiId}/${stageName}/${method}/@connections/*`,
    );

    for (const route of props.routes) {
      const functionId = webSocketFunctionIdFor(route);
      const fn = new ChatFunction(this, functionId, {
        entry: `functions/ws/${route.name}.ts`,
        description: `WebSocket ${route.routeKey}: ${route.summary}`,
        environment: {
          TABLE_NAME: props.table.tableName,
          ...tokenKeyEnvironment(props.tokenKeys, { jwks: route.access.verifiesTokens, sign: false }),
          ...(route.access.manageConnections ? { WEBSOCKET_CALLBACK_URL: this.callbackUrl } : {}),
        },
      });
      if (route.access.table.length > 0) {
        fn.role.addToPolicy(
          new iam.PolicyStatement({ actions: [...route.access.table], resources: [props.table.tableArn] }),
        );
      }
      if (route.access.manageConnections) this.grantManageConnections(fn.role);
      this.functions.set(route.name, fn);

      this.api.addRoute(route.routeKey, {
        integration: new WebSocketLambdaIntegration(`${functionId}Integration`, fn.function),
        returnResponse: route.returnsResponse,
      });
    }

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'The $connect function verifies the access token (query string or subprotocol) and refuses the handshake with 401; every other route only runs on a connection that $connect accepted. A Lambda authorizer would only move the same check.',
    });
  }

  /**
   * `execute-api:ManageConnections` to post to and close this stage's connections (connection ids are not known
   * ahead); nothing else (no GET of connection details).
   */
  grantManageConnections(role: iam.IRole): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['execute-api:ManageConnections'],
        resources: this.manageConnectionsArns,
      }),
    );
    const apiLogicalId = Stack.of(this).getLogicalId(this.api.node.defaultChild as CfnElement);
    const stageName = this.stage.stageName;
    for (const method of ['POST', 'DELETE']) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiLogicalId}>/${stageName}/${method}/@connections/*]`,
        reason:
          'Connection ids are assigned by API Gateway at connect time; the grant is limited to posting to and closing connections of this API stage.',
      });
    }
  }

  /**
   * WebSocket stages log through the account-wide API Gateway CloudWatch role (HTTP APIs do not need it). It is
   * the standard managed-policy role, kept on stack deletion so other APIs in the account keep logging.
   */
  private apiGatewayLoggingRole(): CfnAccount {
    const role = new iam.Role(this, 'ApiGatewayLoggingRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: 'Lets API Gateway write access logs to CloudWatch Logs (account-wide setting)',
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs'),
      ],
    });
    role.applyRemovalPolicy(RemovalPolicy.RETAIN);
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'The AWS managed policy API Gateway documents for its account-wide logging role; the role serves every API in the account, whose log groups are not known here.',
    });
    return new CfnAccount(this, 'ApiGatewayAccount', { cloudWatchRoleArn: role.roleArn });
  }
}
