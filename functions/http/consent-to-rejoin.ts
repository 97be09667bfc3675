import { consentToRejoin } from '../shared/domain/conversations';
import { httpHandler } from '../shared/http/handler';
import { consentToRejoin as route } from '../shared/routes/conversations';

export const handler = httpHandler(route, async ({ params, callerId }) => {
  await consentToRejoin(callerId, params.id);
  return undefined;
});
