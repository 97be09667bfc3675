import { createDirect, createGroup } from '../shared/domain/conversations';
import { httpHandler } from '../shared/http/handler';
import { createConversation as route } from '../shared/routes/conversations';

export const handler = httpHandler(route, async ({ body, callerId, limits }) => {
  if (body.type === 'direct') {
    const { created, details } = await createDirect(callerId, body.userId);
    return {
      status: created ? 201 : 200,
      body: details,
      headers: { location: `/conversations/${details.id}` },
    };
  }
  await limits.take('new-groups');
  const details = await createGroup(callerId, body.name, body.memberIds);
  return { body: details, headers: { location: `/conversations/${details.id}` } };
});
