/** POST /messages, as the previous system's clients send it: `{sender?, recipient | conversationId, content}`. */
import { asLegacyMessage, send, sendToUser } from '../shared/domain/messages';
import { ForbiddenError } from '../shared/errors';
import { httpHandler } from '../shared/http/handler';
import { legacySendMessage as route } from '../shared/routes/messages';

export const handler = httpHandler(route, async ({ body, callerId }) => {
  if (body.sender !== undefined && body.sender !== callerId) {
    throw new ForbiddenError('sender must be the signed-in user (or be left out).', [
      { field: 'sender', message: 'is not the signed-in user' },
    ]);
  }
  const { message, created } = body.recipient
    ? await sendToUser(callerId, body.recipient, body)
    : await send(callerId, body.conversationId ?? '', body);
  return { status: created ? 201 : 200, body: asLegacyMessage(message) };
});
