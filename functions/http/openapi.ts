import { httpHandler } from '../shared/http/handler';
import { buildOpenApiDocument } from '../shared/openapi';
import { openApi as route } from '../shared/routes';

// Built once per execution environment: the document only changes with a deploy.
const document = buildOpenApiDocument();

export const handler = httpHandler(route, async () => ({ body: document }));
