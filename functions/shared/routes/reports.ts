/** Reports of messages and users, by any user, to the service's administrators (routes/admin.ts: the queue). */
import { defineRoute } from '../route-definition';
import { createdReportSchema, createReportRequestSchema } from '../schemas/admin';

export const createReport = /* @__PURE__ */ defineRoute({
  name: 'create-report',
  method: 'POST',
  path: '/reports',
  auth: 'user',
  summary: "Report a message you can see, or a user, to the service's administrators",
  tag: 'Reports',
  request: { body: createReportRequestSchema },
  response: { status: 201, schema: createdReportSchema, description: 'The report is in the queue' },
  errors: [404],
  access: { table: ['dynamodb:GetItem', 'dynamodb:PutItem'] },
  limits: [{ name: 'reports', key: 'user', limit: 20, windowSeconds: 3600 }],
});
