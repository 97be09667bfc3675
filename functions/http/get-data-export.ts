import { exportStatus } from '../shared/domain/data-export';
import { httpHandler } from '../shared/http/handler';
import { getDataExport as route } from '../shared/routes/account-data';

export const handler = httpHandler(route, async ({ callerId }) => ({
  body: await exportStatus(callerId),
  // The link inside is a credential for a while: never cached.
  headers: { 'cache-control': 'no-store' },
}));
