import { endSession } from '../shared/domain/sessions';
import { httpHandler } from '../shared/http/handler';
import { endSession as route } from '../shared/routes/accounts';

export const handler = httpHandler(route, async ({ callerId, params }) => {
  await endSession(callerId, params.id);
  return undefined;
});
