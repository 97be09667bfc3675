/** GET /messages?recipient=<userId> (or ?conversationId=), as the previous system's clients call it. */

import { directConversationId } from '../shared/domain/conversations';
import { asLegacyMessage, history } from '../shared/domain/messages';
import { getProfile } from '../shared/domain/users';
import { NotFoundError } from '../shared/errors';
import { httpHandler } from '../shared/http/handler';
import { legacyListMessages as route } from '../shared/routes/messages';

const legacyPage = (page: Awaited<ReturnType<typeof history>>) => ({
  items: page.items.map(asLegacyMessage),
  nextCursor: page.nextCursor,
});

export const handler = httpHandler(route, async ({ query, callerId }) => {
  const { recipient, conversationId, ...rest } = query;
  // Older clients know nothing of threads: they get every message, replies included.
  const page = { ...rest, includeReplies: 'true' as const };
  if (recipient !== undefined) {
    const id = directConversationId(callerId, recipient);
    try {
      return { body: legacyPage(await history(callerId, id, page)) };
    } catch (error) {
      // No conversation with an existing user yet is an empty history; an unknown user is a 404.
      if (!(error instanceof NotFoundError)) throw error;
      await getProfile(recipient, callerId);
      return { body: { items: [], nextCursor: null } };
    }
  }
  return { body: legacyPage(await history(callerId, conversationId ?? '', page)) };
});
