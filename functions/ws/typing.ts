import { safeParse } from 'valibot';
import { ValidationError } from '../shared/errors';
import { metrics } from '../shared/metrics';
import { managementApiSender } from '../shared/realtime/connection-sender';
import { relayTyping, type TypingOutcome } from '../shared/realtime/typing';
import { typingActionSchema } from '../shared/schemas/realtime';
import { wsHandler } from '../shared/ws/handler';
import { typing as route } from '../shared/ws-routes';

// A one-way route: the status only shows in the log line (the caller is told nothing, whatever happened).
const STATUS: Record<TypingOutcome, number> = {
  relayed: 200,
  'rate-limited': 429,
  'not-member': 404,
  'unknown-connection': 410,
  'token-expired': 401,
};

export const handler = wsHandler(route, async (event) => {
  const sender = managementApiSender();
  if (!sender) throw new Error('Invalid configuration: WEBSOCKET_CALLBACK_URL must be set');
  const action = safeParse(typingActionSchema, parseJson(event.body));
  if (!action.success) throw new ValidationError('Expected {"action": "typing", "conversationId": "..."}.');
  const { outcome, userId } = await relayTyping(
    event.requestContext.connectionId,
    action.output.conversationId,
    { sender },
  );
  event.userId = userId;
  if (outcome === 'rate-limited') metrics.count('CallsRefusedByLimits', { route: route.name });
  return { statusCode: STATUS[outcome] };
});

function parseJson(body: string | undefined): unknown {
  try {
    return JSON.parse(body ?? '');
  } catch {
    return undefined;
  }
}
