/** Leaving with your data: deleting the account, and exporting it. */
import * as v from 'valibot';
import { timestampSchema } from './common';
import { defineSchema } from './define';
import { strictObject } from './json-objects';

export const deleteAccountRequestSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    strictObject({
      password: v.pipe(
        v.string(),
        v.minLength(1),
        v.maxLength(256),
        v.description('Your current password: deleting an account cannot be undone'),
      ),
    }),
    v.metadata({ id: 'DeleteAccountRequest' }),
  ),
);

export const accountDeletionSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({
      status: v.pipe(
        v.picklist(['deleting', 'deleted']),
        v.description(
          '`deleting`: the account has ended (no login, sessions and sockets closed) and its data is being removed, within minutes; `deleted`: done',
        ),
      ),
      requestedAt: timestampSchema,
    }),
    v.metadata({ id: 'AccountDeletion' }),
  ),
);

export const dataExportSchema = /* @__PURE__ */ defineSchema(() =>
  v.pipe(
    v.object({
      status: v.pipe(
        v.picklist(['pending', 'ready', 'failed']),
        v.description('`pending`: being written (usually within a minute); `ready`: `url` downloads it'),
      ),
      requestedAt: timestampSchema,
      readyAt: v.nullable(timestampSchema),
      url: v.pipe(
        v.nullable(v.string()),
        v.description(
          'When ready: a signed link to the JSON file (your profile, conversations and the messages you sent, with links to your media); it expires, ask again for a fresh one',
        ),
      ),
      urlExpiresAt: v.nullable(timestampSchema),
    }),
    v.metadata({ id: 'DataExport' }),
  ),
);
