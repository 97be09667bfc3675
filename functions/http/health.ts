import { httpHandler } from '../shared/http/handler';
import { health } from '../shared/routes/system';

export const handler = httpHandler(health, async () => ({ body: { status: 'ok' as const } }));
