/**
 * Catching up after every (re)connection of the socket: the inbox, then each conversation held in memory
 * from its newest message on; then whatever is still pending is sent again. Today this is one request per
 * open conversation (GET /conversations/{id}/messages?after=); a single `GET /sync` call can replace the
 * body of catchUp() without changing its callers.
 */
import { catchUpConversation, conversationState, loadedConversationIds } from './conversations';
import { refreshInbox } from './inbox';
import { notify } from './notices';
import { flushOutbox, settleDelivered } from './outbox';

let running: Promise<void> | undefined;

export function catchUp(): Promise<void> {
  running ??= (async () => {
    const results = await Promise.all([refreshInbox(), ...loadedConversationIds().map(catchUpConversation)]);
    for (const id of loadedConversationIds()) settleDelivered(conversationState(id).messages.value);
    const failed = results.find((result) => !result.ok && result.problem.status !== 404);
    if (failed && !failed.ok) notify(`Could not catch up: ${failed.problem.detail}`);
    await flushOutbox();
  })().finally(() => {
    running = undefined;
  });
  return running;
}
