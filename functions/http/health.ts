import { plainHttpHandler } from '../shared/http/pipeline';
import { health } from '../shared/routes/system';

export const handler = plainHttpHandler(health, async () => ({ body: { status: 'ok' as const } }));
