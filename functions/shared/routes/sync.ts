/** Catching up: everything that changed for the caller since a cursor, across all their conversations. */
import { defineRoute } from '../route-definition';
import { syncPageSchema, syncQuerySchema } from '../schemas/sync';

export const sync = /* @__PURE__ */ defineRoute({
  name: 'sync',
  method: 'GET',
  path: '/sync',
  auth: 'user',
  summary:
    'Everything that changed for you since a cursor, across all your conversations, in order (410: resync)',
  tag: 'Sync',
  request: { query: syncQuerySchema },
  response: { status: 200, schema: syncPageSchema, description: 'A page of your stream of changes' },
  errors: [403, 410],
  access: {
    table: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'],
    cdnSigningKey: true,
  },
});
