/** `npm run client`: regenerates client/generated/ from docs/openapi.json and the real-time schemas. */
import { writeFile } from 'node:fs/promises';
import { clientSources } from './client-sources';

for (const [path, source] of Object.entries(await clientSources())) {
  await writeFile(path, source);
  console.log(`wrote ${path}`);
}
