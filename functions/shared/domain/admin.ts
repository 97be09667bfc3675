/**
 * Administration: the application role, the disabled state of accounts, moderation of messages, the report
 * queue and the audit log. Every function but `changeRole` (the command line's) takes the administrator as
 * `requireAdmin` returned them: the role is read from the table on every call, so a revoked role counts at
 * once. Each action and its audit record are written in one transaction.
 */
import * as adminStore from '../data/admin-store';
import { type AccountRecord, StaleStateError } from '../data/admin-store';
import * as auditStore from '../data/audit-store';
import { getMessage, moderationTombstoneItem } from '../data/messages-store';
import * as reportsStore from '../data/reports-store';
import * as sessionsStore from '../data/sessions-store';
import { ConflictError, NotAdminError, NotFoundError, ValidationError } from '../errors';
import { publicUrl } from '../media/cdn';
import type { Resolution } from '../schemas/admin';
import { startAccountDeletion } from './account-deletion';
import { adminUsersCursor, auditCursor, isUlid, reportsCursor } from './cursors';
import { ulid } from './ids';

export type { AccountRecord };

/** The caller, if they are an administrator now (strongly consistent read); a 403 otherwise. */
export async function requireAdmin(callerId: string): Promise<AccountRecord> {
  const account = await adminStore.getAccount(callerId);
  if (account?.role !== 'admin' || account.disabledAt) {
    throw new NotAdminError('Only administrators may do this.');
  }
  return account;
}

interface Actor {
  id: string | null;
  name: string;
}
const actorOf = (admin: AccountRecord): Actor => ({ id: admin.id, name: admin.username });
/** Who `npm run admin` acts as: the deployer's credentials, no account of the service. */
export const COMMAND_LINE: Actor = { id: null, name: 'command-line' };

function audit(
  actor: Actor,
  action: auditStore.AuditAction,
  target: auditStore.AuditRecord['target'],
  now: Date,
  details?: Record<string, string>,
) {
  return auditStore.auditItem({
    id: ulid(now.getTime()),
    actorId: actor.id,
    actor: actor.name,
    action,
    target,
    at: now.toISOString(),
    ...(details ? { details } : {}),
  });
}

export function presentAccount(account: AccountRecord) {
  const { avatarKey, disabledBy: _by, ...rest } = account;
  return {
    ...rest,
    avatarUrl: avatarKey ? publicUrl(avatarKey) : null,
    disabled: account.disabledAt !== null,
  };
}

/**
 * Grants or revokes the application role by username (the command line). Unchanged when the user already
 * has (or lacks) it: nothing is written or audited then.
 */
export async function changeRole(
  username: string,
  role: adminStore.AppRole | null,
  actor: Actor = COMMAND_LINE,
  now = new Date(),
): Promise<{ userId: string; changed: boolean }> {
  const userId = await adminStore.userIdOfUsername(username);
  const account = userId ? await adminStore.getAccount(userId) : undefined;
  if (!userId || !account) throw new NotFoundError(`No user has the username "${username}".`);
  if (account.role === role) return { userId, changed: false };
  await adminStore.writeTogether(
    [
      adminStore.roleItem(userId, role),
      audit(actor, role ? 'role.grant' : 'role.revoke', { type: 'user', id: userId }, now, {
        username: account.username,
        ...(role ? { role } : {}),
      }),
    ],
    { home: true },
  );
  return { userId, changed: true };
}

export async function searchUsers(query: string, limit: number, cursor?: string) {
  const prefix = query.toLowerCase();
  const after = cursor ? adminUsersCursor.decode(cursor, prefix) : undefined;
  const page = await adminStore.searchByUsername(prefix, limit, after);
  const last = page.items.at(-1);
  return {
    items: page.items.map(presentAccount),
    nextCursor:
      page.more && last ? adminUsersCursor.encode(prefix, last.username.toLowerCase(), last.id) : null,
  };
}

/** Two reads in parallel: the account, and its live sessions (a count, and the latest use of any). */
export async function userDetails(userId: string, now = new Date()) {
  const [account, sessions] = await Promise.all([
    adminStore.getAccount(userId),
    sessionsStore.listSessions(userId, now),
  ]);
  if (!account) throw new NotFoundError(`No user has the id "${userId}".`);
  const lastActiveAt = sessions.reduce<string | null>(
    (latest, session) => (latest === null || session.lastUsedAt > latest ? session.lastUsedAt : latest),
    null,
  );
  return { ...presentAccount(account), sessionsCount: sessions.length, lastActiveAt };
}

const notYourself = (action = 'disable') =>
  new ConflictError(`You cannot ${action} your own account here (another administrator can).`);

/**
 * Disables an account: marks it (profile and username claim, with the audit record, in one transaction), then
 * ends every session, which closes the user's WebSockets through the table stream (as logout-all does).
 * Disabling a disabled account writes nothing new but ends any session again, so a retry after a failure
 * between the two steps finishes the job.
 */
export async function disableUser(admin: AccountRecord, userId: string, now = new Date()) {
  if (userId === admin.id) throw notYourself();
  let account = await adminStore.getAccount(userId);
  if (!account) throw new NotFoundError(`No user has the id "${userId}".`);
  if (!account.disabledAt) {
    const disabled = { at: now.toISOString(), by: admin.id };
    await writeOrConflict([
      ...adminStore.disabledStateItems(account, disabled),
      audit(actorOf(admin), 'user.disable', { type: 'user', id: userId }, now, {
        username: account.username,
      }),
    ]);
    account = { ...account, disabledAt: disabled.at, disabledBy: disabled.by };
  }
  await sessionsStore.deleteSessions(userId);
  return presentAccount(account);
}

export async function enableUser(admin: AccountRecord, userId: string, now = new Date()) {
  const account = await adminStore.getAccount(userId);
  if (!account) throw new NotFoundError(`No user has the id "${userId}".`);
  if (!account.disabledAt) return presentAccount(account);
  await writeOrConflict([
    ...adminStore.disabledStateItems(account, null),
    audit(actorOf(admin), 'user.enable', { type: 'user', id: userId }, now, { username: account.username }),
  ]);
  return presentAccount({ ...account, disabledAt: null, disabledBy: null });
}

/**
 * Deletes an account as its owner could (`DELETE /users/me`, without the password): it ends at once and its data
 * is removed in the background. The audit record is in the transaction that ends the account. Deleting an
 * account already being deleted answers its status; administrators delete their own with `DELETE /users/me`.
 */
export async function deleteUser(admin: AccountRecord, userId: string, now = new Date()) {
  if (userId === admin.id) throw notYourself('delete');
  return startAccountDeletion(userId, {
    by: admin.id,
    now,
    alongside: (user) => [
      audit(actorOf(admin), 'user.delete', { type: 'user', id: userId }, now, { username: user.username }),
    ],
  });
}

async function writeOrConflict(items: Parameters<typeof adminStore.writeTogether>[0], home = true) {
  try {
    await adminStore.writeTogether(items, { home });
  } catch (error) {
    if (!(error instanceof StaleStateError)) throw error;
    throw new ConflictError('What you acted on changed meanwhile; reload it and try again.');
  }
}

/**
 * Removes a message from any conversation: its tombstone says moderation removed it, and members see it as
 * any deletion (a `message.deleted` event, and the tombstone in history). Removing a deleted message is fine
 * and writes nothing.
 */
export async function removeMessage(
  admin: AccountRecord,
  conversationId: string,
  messageId: string,
  now = new Date(),
): Promise<void> {
  const message = isUlid(messageId) ? await getMessage(conversationId, messageId) : undefined;
  if (!message) throw new NotFoundError(`No message "${messageId}" in conversation "${conversationId}".`);
  if (message.deletedAt) return;
  try {
    await adminStore.writeTogether(
      [
        moderationTombstoneItem(message, admin.id, now.toISOString()),
        audit(actorOf(admin), 'message.remove', { type: 'message', id: messageId, conversationId }, now, {
          senderId: message.senderId,
        }),
      ],
      { home: false },
    );
  } catch (error) {
    // Deleted by its sender meanwhile: gone either way.
    if (error instanceof StaleStateError && (await getMessage(conversationId, messageId))?.deletedAt) return;
    throw error;
  }
}

export async function listAudit(limit: number, cursor?: string) {
  const page = await auditStore.listAudit(limit, cursor ? auditCursor.decode(cursor) : undefined);
  const last = page.items.at(-1);
  return { items: page.items, nextCursor: page.more && last ? auditCursor.encode(last.id) : null };
}

export async function listReports(limit: number, cursor?: string) {
  const page = await reportsStore.listReports(limit, cursor ? reportsCursor.decode(cursor) : undefined);
  const last = page.items.at(-1);
  return {
    items: page.items,
    nextCursor: page.more && last ? reportsCursor.encode(last.status, last.id) : null,
  };
}

/**
 * Resolves an open report, in one transaction with what it does and its audit record: `dismiss` only
 * resolves; `remove-message` also leaves the moderation tombstone (message reports only); `disable-user`
 * also disables the reported user (or the reported message's sender), then ends their sessions.
 */
export async function resolveReport(
  admin: AccountRecord,
  reportId: string,
  action: Resolution,
  now = new Date(),
) {
  const report = isUlid(reportId) ? await reportsStore.getReport(reportId) : undefined;
  if (!report) throw new NotFoundError(`No report has the id "${reportId}".`);
  if (report.status === 'resolved') throw new ConflictError('The report has already been resolved.');
  const resolution = { action, by: admin.id, at: now.toISOString() };
  const details: Record<string, string> = { action, reason: report.reason };
  const items = [reportsStore.resolveItem(report.id, resolution)];
  let disabledUserId: string | undefined;
  const { target } = report;
  if (action === 'remove-message') {
    if (target.type !== 'message') {
      throw new ValidationError('remove-message resolves message reports only.', [
        { field: 'action', message: 'is for message reports only' },
      ]);
    }
    Object.assign(details, { conversationId: target.conversationId, messageId: target.messageId });
    const message = await getMessage(target.conversationId, target.messageId);
    if (message && !message.deletedAt) {
      items.push(moderationTombstoneItem(message, admin.id, resolution.at));
    }
  } else if (action === 'disable-user') {
    const userId = target.type === 'user' ? target.userId : target.senderId;
    if (userId === admin.id) throw notYourself();
    details.userId = userId;
    const account = await adminStore.getAccount(userId);
    if (account && !account.disabledAt) {
      items.push(...adminStore.disabledStateItems(account, { at: resolution.at, by: admin.id }));
    }
    disabledUserId = account ? userId : undefined;
  }
  items.push(audit(actorOf(admin), 'report.resolve', { type: 'report', id: report.id }, now, details));
  await writeOrConflict(items, action === 'disable-user');
  if (disabledUserId) await sessionsStore.deleteSessions(disabledUserId);
  return { ...report, status: 'resolved' as const, resolution };
}
