/**
 * Blocks: a user's list of people who may not message them (docs/architecture.md, "Blocking and muting"). A block is two
 * small items in the users' partitions and, when the pair has a direct chat, a stamp on its two memberships,
 * written in one transaction (UpdateItem, DeleteItem, ConditionCheckItem).
 */
import { defineRoute } from '../route-definition';
import { blockListQuerySchema, blockListSchema, blockParamsSchema } from '../schemas/blocks';

export const blockUser = /* @__PURE__ */ defineRoute({
  name: 'block-user',
  method: 'PUT',
  path: '/users/me/blocks/{userId}',
  auth: 'user',
  summary: 'Block a user: they can no longer message you or add you to groups (idempotent)',
  tag: 'Users',
  request: { params: blockParamsSchema },
  response: { status: 204, description: 'Blocked (also when they already were)' },
  errors: [404],
  access: { table: ['dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'] },
  // One budget with unblocking: blocking and unblocking in a loop is one thing to limit.
  limits: [{ name: 'blocks', key: 'user', limit: 30, windowSeconds: 60 }],
});

export const unblockUser = /* @__PURE__ */ defineRoute({
  name: 'unblock-user',
  method: 'DELETE',
  path: '/users/me/blocks/{userId}',
  auth: 'user',
  summary: 'Lift a block (idempotent)',
  tag: 'Users',
  request: { params: blockParamsSchema },
  response: { status: 204, description: 'Not blocked (also when they were not)' },
  access: { table: ['dynamodb:DeleteItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'] },
  limits: [{ name: 'blocks', key: 'user', limit: 30, windowSeconds: 60 }],
});

export const listBlocks = /* @__PURE__ */ defineRoute({
  name: 'list-blocks',
  method: 'GET',
  path: '/users/me/blocks',
  auth: 'user',
  summary: 'The users you blocked, in user id order',
  tag: 'Users',
  request: { query: blockListQuerySchema },
  response: { status: 200, schema: blockListSchema, description: 'A page of blocked users' },
  access: { table: ['dynamodb:Query', 'dynamodb:BatchGetItem'] },
});
