import { requestExport } from '../shared/domain/data-export';
import { httpHandler } from '../shared/http/handler';
import { startDataExport as route } from '../shared/routes/account-data';

export const handler = httpHandler(route, async ({ callerId }) => ({
  body: await requestExport(callerId),
  headers: { location: '/users/me/export' },
}));
