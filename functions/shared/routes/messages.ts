/** Messages, read markers, and the older clients' message endpoints. */
import { defineRoute } from '../route-definition';
import { conversationParamsSchema } from '../schemas/conversations';
import {
  editMessageRequestSchema,
  historyQuerySchema,
  legacyMessagesQuerySchema,
  legacySendMessageRequestSchema,
  markReadRequestSchema,
  messagePageSchema,
  messageParamsSchema,
  messageSchema,
  readMarkerSchema,
  repliesQuerySchema,
  sendMessageRequestSchema,
} from '../schemas/messages';

export const sendMessage = /* @__PURE__ */ defineRoute({
  name: 'send-message',
  method: 'POST',
  path: '/conversations/{id}/messages',
  auth: 'user',
  summary:
    'Send a message, or a reply with parentMessageId (201; a retry with the same clientMessageId returns the original with 200)',
  tag: 'Messages',
  request: { params: conversationParamsSchema, body: sendMessageRequestSchema },
  response: { status: 201, schema: messageSchema, description: 'The message' },
  alsoReturns: [{ status: 200, description: 'The original message: a retry with the same clientMessageId' }],
  // 403: a direct chat with a block between its two members (cannot-message-user).
  errors: [403, 404, 409, 413, 415],
  access: {
    // ConditionCheckItem: a reply to a reply checks the message it answers (threads, docs/data-model.md).
    // BatchGetItem and Query: resolving mentions (username claims, members; docs/data-model.md, "Mentions").
    table: [
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:GetItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:BatchGetItem',
      'dynamodb:Query',
    ],
    cdnSigningKey: true,
  },
  // 5 per second with bursts of 20, as one fixed window of 20 per 4 seconds (docs/architecture.md, "Limits").
  limits: [{ name: 'send-message', key: 'user', limit: 20, windowSeconds: 4 }],
});

export const listMessages = /* @__PURE__ */ defineRoute({
  name: 'list-messages',
  method: 'GET',
  path: '/conversations/{id}/messages',
  auth: 'user',
  summary:
    'Message history, newest first (or oldest first after a given id, to catch up); thread replies only with includeReplies=true',
  tag: 'Messages',
  request: { params: conversationParamsSchema, query: historyQuerySchema },
  response: { status: 200, schema: messagePageSchema, description: 'A page of messages' },
  errors: [404],
  access: { table: ['dynamodb:GetItem', 'dynamodb:Query'], cdnSigningKey: true },
});

export const listReplies = /* @__PURE__ */ defineRoute({
  name: 'list-replies',
  method: 'GET',
  path: '/conversations/{id}/messages/{messageId}/replies',
  auth: 'user',
  summary: "A message's thread: its replies, oldest first",
  tag: 'Messages',
  request: { params: messageParamsSchema, query: repliesQuerySchema },
  response: { status: 200, schema: messagePageSchema, description: 'A page of replies' },
  errors: [404],
  access: { table: ['dynamodb:GetItem', 'dynamodb:Query'], cdnSigningKey: true },
});

export const editMessage = /* @__PURE__ */ defineRoute({
  name: 'edit-message',
  method: 'PATCH',
  path: '/conversations/{id}/messages/{messageId}',
  auth: 'user',
  summary: 'Edit the text of your own message',
  tag: 'Messages',
  request: { params: messageParamsSchema, body: editMessageRequestSchema },
  response: { status: 200, schema: messageSchema, description: 'The edited message' },
  errors: [403, 404, 409, 413, 415],
  access: {
    // Query: the caller's own reactions on the edited message (its `reactions` show `me`), and with
    // BatchGetItem resolving the mentions of the new text.
    table: [
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:Query',
      'dynamodb:BatchGetItem',
    ],
    cdnSigningKey: true,
  },
});

export const deleteMessage = /* @__PURE__ */ defineRoute({
  name: 'delete-message',
  method: 'DELETE',
  path: '/conversations/{id}/messages/{messageId}',
  auth: 'user',
  summary: "Delete a message (the sender, or a group's owners and admins); leaves a tombstone",
  tag: 'Messages',
  request: { params: messageParamsSchema },
  response: { status: 204, description: 'Deleted (also when it already was)' },
  errors: [403, 404, 409],
  access: {
    table: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
  },
});

export const markRead = /* @__PURE__ */ defineRoute({
  name: 'mark-read',
  method: 'POST',
  path: '/conversations/{id}/read',
  auth: 'user',
  summary: 'Move your read marker forward to a message',
  tag: 'Messages',
  request: { params: conversationParamsSchema, body: markReadRequestSchema },
  response: { status: 200, schema: readMarkerSchema, description: 'Your read marker' },
  errors: [404, 413, 415],
  access: {
    table: ['dynamodb:ConditionCheckItem', 'dynamodb:UpdateItem', 'dynamodb:GetItem'],
  },
});

export const legacySendMessage = /* @__PURE__ */ defineRoute({
  name: 'legacy-send-message',
  method: 'POST',
  path: '/messages',
  auth: 'user',
  summary: 'Older clients: send to a user (their direct conversation) or a conversation',
  tag: 'Messages (older clients)',
  request: { body: legacySendMessageRequestSchema },
  response: { status: 201, schema: messageSchema, description: 'The message' },
  alsoReturns: [{ status: 200, description: 'The original message: a retry with the same clientMessageId' }],
  errors: [403, 404, 409, 413, 415],
  access: {
    table: [
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:GetItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:Query',
      'dynamodb:BatchGetItem',
    ],
    cdnSigningKey: true,
  },
  // The same counter as the current send route: one budget for sending, whichever path is used.
  limits: [{ name: 'send-message', key: 'user', limit: 20, windowSeconds: 4 }],
});

export const legacyListMessages = /* @__PURE__ */ defineRoute({
  name: 'legacy-list-messages',
  method: 'GET',
  path: '/messages',
  auth: 'user',
  summary: 'Older clients: the messages with a user (?recipient=) or of a conversation (?conversationId=)',
  tag: 'Messages (older clients)',
  request: { query: legacyMessagesQuerySchema },
  response: { status: 200, schema: messagePageSchema, description: 'A page of messages' },
  errors: [404],
  access: { table: ['dynamodb:GetItem', 'dynamodb:Query'], cdnSigningKey: true },
});
