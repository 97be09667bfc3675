/**
 * The WebSocket API: every route key, its handler and what its function may touch. The CDK stack, the local
 * WebSocket gateway and the infra tests all read this table, as they read `routes.ts` for the HTTP API.
 */
import type { TableAction } from './route-definition';

/** API Gateway picks the route of a client message by its `action` field (`$default` when none matches). */
export const ROUTE_SELECTION_EXPRESSION = '$request.body.action';

export interface WebSocketRouteDefinition {
  /** `$connect`, `$disconnect`, `$default`, or the `action` of a client message. */
  routeKey: string;
  /** Kebab-case; names the Lambda function and its entry file `functions/ws/<name>.ts`. */
  name: string;
  summary: string;
  /** Two-way route: the `body` the handler returns is sent back to the caller (an API Gateway route response). */
  returnsResponse: boolean;
  access: {
    /** On the base table only: no WebSocket function reads an index. */
    table: readonly TableAction[];
    /** Verifies access tokens: gets the public keys (TOKEN_JWKS). No WebSocket function signs tokens. */
    verifiesTokens: boolean;
    /**
     * Posts to and closes connections through the management API (`execute-api:ManageConnections` on POST and
     * DELETE of this stage's connections).
     */
    manageConnections: boolean;
  };
}

export const defineWebSocketRoute = <const R extends WebSocketRouteDefinition>(route: R): R => route;

export const connect = defineWebSocketRoute({
  routeKey: '$connect',
  name: 'connect',
  summary:
    'Authenticates the access token (?token= or the bearer subprotocol) and registers the connection (its owner item; the table stream does the rest)',
  returnsResponse: false,
  // The owner item (PutItem): the one write of a connect. GetItem: the token's session must still exist.
  // The feed head, the per-user limit and presence follow from the item's stream record.
  access: {
    table: ['dynamodb:PutItem', 'dynamodb:GetItem'],
    verifiesTokens: true,
    manageConnections: false,
  },
});

export const disconnect = defineWebSocketRoute({
  routeKey: '$disconnect',
  name: 'disconnect',
  summary: 'Forgets the connection',
  returnsResponse: false,
  // The owner item (DeleteItem, which says whose it was): the one write of a disconnect. The feed head and
  // presence follow from the item's stream record.
  access: {
    table: ['dynamodb:DeleteItem'],
    verifiesTokens: false,
    manageConnections: false,
  },
});

export const typing = defineWebSocketRoute({
  routeKey: 'typing',
  name: 'typing',
  summary: "Relays a typing indicator to the conversation's other members (members only, rate-limited)",
  returnsResponse: false,
  access: {
    // Owner and membership (GetItem), the rate limit and forgetting gone connections (UpdateItem), the members
    // (Query, and who blocked the typist) and where they are connected (BatchGetItem of their feed heads).
    table: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'],
    verifiesTokens: false,
    manageConnections: true,
  },
});

export const ping = defineWebSocketRoute({
  routeKey: 'ping',
  name: 'ping',
  summary: 'Answers {"type":"pong"} (keeps idle connections open)',
  returnsResponse: true,
  access: { table: [], verifiesTokens: false, manageConnections: false },
});

export const fallback = defineWebSocketRoute({
  routeKey: '$default',
  name: 'default',
  summary: 'Answers an error event to a message that names no known action',
  returnsResponse: true,
  access: { table: [], verifiesTokens: false, manageConnections: false },
});

export const webSocketRoutes: readonly WebSocketRouteDefinition[] = [
  connect,
  disconnect,
  typing,
  ping,
  fallback,
];
