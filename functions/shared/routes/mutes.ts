/**
 * Muting a conversation: a flag on the caller's own membership (one conditional UpdateItem), shown only to
 * them in the inbox and the conversation (`muted`, `mutedUntil`); unread counts go on as before.
 */
import { defineRoute } from '../route-definition';
import { conversationParamsSchema } from '../schemas/conversations';
import { muteRequestSchema, muteStateSchema } from '../schemas/mutes';

export const muteConversation = /* @__PURE__ */ defineRoute({
  name: 'mute-conversation',
  method: 'PUT',
  path: '/conversations/{id}/mute',
  auth: 'user',
  summary: 'Mute a conversation for yourself, until a time or until unmuted (members only)',
  tag: 'Conversations',
  request: { params: conversationParamsSchema, body: muteRequestSchema },
  response: { status: 200, schema: muteStateSchema, description: 'Muted' },
  errors: [404, 413, 415],
  access: { table: ['dynamodb:UpdateItem'] },
});

export const unmuteConversation = /* @__PURE__ */ defineRoute({
  name: 'unmute-conversation',
  method: 'DELETE',
  path: '/conversations/{id}/mute',
  auth: 'user',
  summary: 'Unmute a conversation (members only; unmuting twice is fine)',
  tag: 'Conversations',
  request: { params: conversationParamsSchema },
  response: { status: 204, description: 'Not muted' },
  errors: [404],
  access: { table: ['dynamodb:UpdateItem'] },
});
