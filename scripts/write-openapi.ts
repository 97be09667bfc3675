/** Writes docs/openapi.json from the route table and schemas (`npm run openapi`); a test keeps it current. */
import { writeFileSync } from 'node:fs';
import { buildOpenApiDocument } from '../functions/shared/openapi';

writeFileSync('docs/openapi.json', `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
console.log('wrote docs/openapi.json');
