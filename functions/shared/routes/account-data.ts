/** Leaving with your data (GDPR articles 17 and 20): deleting the account, exporting its data. */
import { defineRoute } from '../route-definition';
import { accountDeletionSchema, dataExportSchema, deleteAccountRequestSchema } from '../schemas/account-data';

export const deleteMe = /* @__PURE__ */ defineRoute({
  name: 'delete-me',
  method: 'DELETE',
  path: '/users/me',
  auth: 'user',
  summary:
    'Delete your account: it ends at once (sessions, sockets, login), and its data is removed within minutes',
  tag: 'Users',
  request: { body: deleteAccountRequestSchema },
  response: {
    status: 202,
    schema: accountDeletionSchema,
    description:
      'The account has ended; its conversations, messages (anonymised) and files are being removed in the background',
  },
  errors: [403, 404, 413, 415],
  access: {
    // GetItem: profile, claim; DeleteItem/PutItem: the one transaction (profile, claim tombstone, marker);
    // Query/BatchWriteItem: ending the sessions.
    table: [
      'dynamodb:GetItem',
      'dynamodb:DeleteItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:BatchWriteItem',
    ],
  },
  limits: [
    { name: 'account-deletions', key: 'user', limit: 5, windowSeconds: 3600 },
    // A wrong password counts as a failed login of the account (shared with POST /login's counter).
    { name: 'failed-logins', key: 'account', limit: 5, windowSeconds: 900, countedBy: 'domain' },
  ],
  // One scrypt verification at 128 MB, as login.
  memoryMb: 1024,
});

export const startDataExport = /* @__PURE__ */ defineRoute({
  name: 'start-data-export',
  method: 'POST',
  path: '/users/me/export',
  auth: 'user',
  summary: 'Export your data: starts writing a JSON file of your profile, conversations and messages',
  tag: 'Users',
  response: {
    status: 202,
    schema: dataExportSchema,
    description: 'The export has started; `GET /users/me/export` tells when it is ready',
  },
  access: { table: ['dynamodb:PutItem'] },
  // Making the file reads every conversation's history: once a day is plenty for a person.
  limits: [{ name: 'data-exports', key: 'user', limit: 1, windowSeconds: 86400 }],
});

export const getDataExport = /* @__PURE__ */ defineRoute({
  name: 'get-data-export',
  method: 'GET',
  path: '/users/me/export',
  auth: 'user',
  summary: "Your latest export's status and, when ready, a signed link to it that expires",
  tag: 'Users',
  response: { status: 200, schema: dataExportSchema, description: 'The latest export' },
  errors: [404],
  access: { table: ['dynamodb:GetItem'], presignExportDownloads: true },
});
