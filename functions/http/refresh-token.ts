import { refresh } from '../shared/domain/sessions';
import { httpHandler } from '../shared/http/handler';
import { refreshToken as route } from '../shared/routes/accounts';

export const handler = httpHandler(route, async ({ body }) => ({
  body: await refresh(body.refreshToken),
}));
