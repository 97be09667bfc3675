/** Reactions to messages: add, remove, and who reacted with an emoji. */
import { defineRoute } from '../route-definition';
import { reactionParamsSchema, reactorPageQuerySchema, reactorPageSchema } from '../schemas/reactions';

const REACTION_PATH = '/conversations/{id}/messages/{messageId}/reactions/{emoji}';

export const addReaction = /* @__PURE__ */ defineRoute({
  name: 'add-reaction',
  method: 'PUT',
  path: REACTION_PATH,
  auth: 'user',
  summary:
    'React to a message with an emoji (idempotent: reacting again changes nothing and answers the same)',
  tag: 'Reactions',
  request: { params: reactionParamsSchema },
  response: { status: 204, description: 'Your reaction is there (also when it already was)' },
  errors: [404, 409],
  access: { table: ['dynamodb:ConditionCheckItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem'] },
  // Adding and removing share one budget: 5 per second with bursts of 20 (a user toggling chips quickly).
  limits: [{ name: 'reactions', key: 'user', limit: 20, windowSeconds: 4 }],
});

export const removeReaction = /* @__PURE__ */ defineRoute({
  name: 'remove-reaction',
  method: 'DELETE',
  path: REACTION_PATH,
  auth: 'user',
  summary: 'Remove your reaction with an emoji (idempotent: removing one that is not there changes nothing)',
  tag: 'Reactions',
  request: { params: reactionParamsSchema },
  response: { status: 204, description: 'Your reaction is gone (also when it was not there)' },
  errors: [404, 409],
  access: { table: ['dynamodb:ConditionCheckItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] },
  limits: [{ name: 'reactions', key: 'user', limit: 20, windowSeconds: 4 }],
});

export const listReactions = /* @__PURE__ */ defineRoute({
  name: 'list-reactions',
  method: 'GET',
  path: REACTION_PATH,
  auth: 'user',
  summary: 'Who reacted to a message with an emoji, a page at a time (in user id order)',
  tag: 'Reactions',
  request: { params: reactionParamsSchema, query: reactorPageQuerySchema },
  response: { status: 200, schema: reactorPageSchema, description: 'A page of the users who reacted' },
  errors: [404],
  access: { table: ['dynamodb:GetItem', 'dynamodb:Query'] },
});
