import { createReport } from '../shared/domain/reports';
import { httpHandler } from '../shared/http/handler';
import { createReport as route } from '../shared/routes/reports';

export const handler = httpHandler(route, async ({ callerId, body }) => ({
  body: await createReport(callerId, body),
}));
