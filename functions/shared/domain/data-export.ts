/**
 * Exporting a user's data (GDPR art. 20). `POST /users/me/export` records a pending export; the table stream
 * (the export item's record) writes the file: the profile, every conversation the user is in (with their
 * role and when they joined) and every message they sent there (their own, nothing of other members': each
 * conversation's history is read with a filter on the sender), with links to their media. `GET
 * /users/me/export` answers the status and, once ready, a presigned S3 link that expires.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { presignGetObject } from '../aws/s3-presign-get';
import { config } from '../config';
import { getConversation, getMember } from '../data/conversations-store';
import * as store from '../data/data-export-store';
import { queryInbox } from '../data/inbox-store';
import * as usersStore from '../data/users-store';
import { NotFoundError } from '../errors';
import { logger } from '../logger';
import { exportObjectKey } from '../media/object-keys';
import { mediaStorage } from '../media/storage';
import { forEachConcurrently } from '../realtime/delivery';
import { ulid } from './ids';
import { presentMessage } from './messages';
import { presentUser } from './users';

export type { DataExportRecord } from '../data/data-export-store';

const epochSeconds = (at: Date) => Math.floor(at.getTime() / 1000);

/** The file and its item are kept a week (the bucket's lifecycle rule for `exports/` says the same). */
const EXPORT_KEPT_SECONDS = 7 * 24 * 3600;
/** A download link is valid this long; asking again gives a fresh one. */
const LINK_SECONDS = 15 * 60;
/** Conversations read at once while the file is made. */
const CONVERSATION_CONCURRENCY = 4;

export interface DataExportStatus {
  status: 'pending' | 'ready' | 'failed';
  requestedAt: string;
  readyAt: string | null;
  url: string | null;
  urlExpiresAt: string | null;
}

export async function requestExport(userId: string, now = new Date()): Promise<DataExportStatus> {
  const requestedAt = now.toISOString();
  await store.putPendingExport(
    {
      userId,
      exportId: ulid(now.getTime()),
      status: 'pending',
      requestedAt,
      readyAt: undefined,
      objectKey: undefined,
    },
    epochSeconds(now) + EXPORT_KEPT_SECONDS,
  );
  return { status: 'pending', requestedAt, readyAt: null, url: null, urlExpiresAt: null };
}

export async function exportStatus(userId: string, now = new Date()): Promise<DataExportStatus> {
  const record = await store.getExport(userId);
  if (!record) throw new NotFoundError('You have not asked for an export: POST /users/me/export starts one.');
  const answer = { status: record.status, requestedAt: record.requestedAt, readyAt: record.readyAt ?? null };
  if (record.status !== 'ready' || !record.objectKey) return { ...answer, url: null, urlExpiresAt: null };
  const { bucket, region, s3Endpoint } = requireMedia();
  const url = await presignGetObject({
    bucket,
    key: record.objectKey,
    region: region ?? config.region ?? 'us-east-1',
    endpoint: s3Endpoint,
    expiresInSeconds: LINK_SECONDS,
    contentDisposition: 'attachment; filename="chat-export.json"',
  });
  return { ...answer, url, urlExpiresAt: new Date(now.getTime() + LINK_SECONDS * 1000).toISOString() };
}

function requireMedia() {
  if (!config.media) throw new Error('Invalid configuration: MEDIA_BUCKET is not set');
  return config.media;
}

/**
 * Makes the export file for a pending export item (from the table stream). A replay finds the item no
 * longer pending, or the same export id settled already: nothing is written twice.
 */
export async function buildExport(record: store.DataExportRecord, now = new Date()): Promise<void> {
  if (record.status !== 'pending') return;
  const user = await usersStore.getUser(record.userId);
  if (!user) {
    await store.settleExport(record.userId, record.exportId, { status: 'failed', at: now.toISOString() });
    return;
  }
  const conversationIds: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await queryInbox(user.id, 100, startKey);
    conversationIds.push(...page.entries.map((entry) => entry.conversationId));
    startKey = page.lastKey;
  } while (startKey);
  const conversations: Record<string, unknown>[] = [];
  await forEachConcurrently(
    [...new Set(conversationIds)],
    CONVERSATION_CONCURRENCY,
    async (conversationId) => {
      const [conversation, membership, sent] = await Promise.all([
        getConversation(conversationId),
        getMember(conversationId, user.id),
        store.messagesSentBy(conversationId, user.id),
      ]);
      if (!conversation || !membership) return;
      const messages = await Promise.all(
        sent.map(async (message) => {
          const {
            reactions: _reactions,
            conversationId: _conversation,
            senderId: _sender,
            ...shown
          } = await presentMessage(message, now);
          return shown;
        }),
      );
      conversations.push({
        id: conversation.id,
        type: conversation.type,
        name: conversation.name ?? null,
        createdAt: conversation.createdAt,
        role: membership.role,
        joinedAt: membership.joinedAt,
        messagesSentByYou: messages,
      });
    },
  );
  conversations.sort((a, b) => String(a.id).localeCompare(String(b.id)));
  const document = {
    format: 'chat-backend-export/1',
    exportedAt: now.toISOString(),
    note: 'Your profile, your conversations and the messages you sent. Media links expire; ask for a new export for fresh ones.',
    profile: presentUser(user),
    conversations,
  };
  const { s3, bucket } = mediaStorage();
  const objectKey = exportObjectKey(user.id, record.exportId);
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: objectKey,
      Body: JSON.stringify(document, null, 2),
      ContentType: 'application/json',
    }),
  );
  await store.settleExport(user.id, record.exportId, {
    status: 'ready',
    objectKey,
    at: new Date().toISOString(),
  });
  logger.info('data export ready', { userId: user.id, conversations: conversations.length });
}
