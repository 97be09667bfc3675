/**
 * Reports by users: of a message they can see (as a member of its conversation) or of another user. A
 * message the caller cannot see is a 404, worded as for any conversation they are not in, so a report
 * reveals nothing. The moderators' side (the queue, resolving) is in domain/admin.ts.
 */
import { getMember } from '../data/conversations-store';
import { getMessage } from '../data/messages-store';
import * as reportsStore from '../data/reports-store';
import { getUser } from '../data/users-store';
import { NotFoundError, ValidationError } from '../errors';
import type { CreateReportRequest } from '../schemas/admin';
import { isUlid } from './cursors';
import { ulid } from './ids';

export async function createReport(callerId: string, request: CreateReportRequest, now = new Date()) {
  let target: reportsStore.ReportTarget;
  if (request.userId !== undefined) {
    if (request.userId === callerId) {
      throw new ValidationError('You cannot report yourself.', [{ field: 'userId', message: 'is you' }]);
    }
    if (!(await getUser(request.userId))) throw new NotFoundError(`No user has the id "${request.userId}".`);
    target = { type: 'user', userId: request.userId };
  } else {
    // The schema requires both for a message report.
    const conversationId = request.conversationId ?? '';
    const messageId = request.messageId ?? '';
    const [member, message] = await Promise.all([
      getMember(conversationId, callerId),
      isUlid(messageId) ? getMessage(conversationId, messageId) : Promise.resolve(undefined),
    ]);
    if (!member) throw new NotFoundError(`No conversation "${conversationId}" that you are a member of.`);
    if (!message) throw new NotFoundError(`No message "${messageId}" in this conversation.`);
    if (message.senderId === callerId) {
      throw new ValidationError('You cannot report your own message.', [
        { field: 'messageId', message: 'is your own message' },
      ]);
    }
    target = {
      type: 'message',
      conversationId,
      messageId,
      senderId: message.senderId,
      text: message.content?.type === 'text' ? message.content.text : null,
    };
  }
  const report: reportsStore.ReportRecord = {
    id: ulid(now.getTime()),
    reporterId: callerId,
    target,
    reason: request.reason,
    details: request.details || null,
    createdAt: now.toISOString(),
    status: 'open',
    resolution: null,
  };
  await reportsStore.createReport(report);
  return report;
}
