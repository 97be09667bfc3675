import { eventBody, wsHandler } from '../shared/ws/handler';
import { ping as route } from '../shared/ws-routes';

// A two-way route: the body is sent back to the caller. Touches nothing, so it costs one short invocation.
export const handler = wsHandler(route, async () => ({ statusCode: 200, body: eventBody({ type: 'pong' }) }));
