/**
 * GET /openapi.json: the document generated from the route table, embedded at build time already compressed
 * (lib/bundling.ts). Clients that accept brotli get those bytes as they are; others get the JSON, decompressed
 * once per execution environment.
 */
import { brotliDecompressSync } from 'node:zlib';
import { plainHttpHandler } from '../shared/http/pipeline';
import { openApi as route } from '../shared/routes/system';

declare const OPENAPI_DOCUMENT_BROTLI: string | undefined;

if (typeof OPENAPI_DOCUMENT_BROTLI !== 'string') {
  throw new Error('OPENAPI_DOCUMENT_BROTLI is not set: it is embedded when the function is built');
}
const compressed = OPENAPI_DOCUMENT_BROTLI;
let json: string | undefined;

/** True when `Accept-Encoding` lists `br` (or `*`) without `q=0`. */
function acceptsBrotli(header: string | undefined): boolean {
  return (header ?? '').split(',').some((part) => {
    const [coding = '', ...params] = part.split(';').map((value) => value.trim().toLowerCase());
    const refused = params.some((param) => /^q=0(\.0*)?$/.test(param));
    return (coding === 'br' || coding === '*') && !refused;
  });
}

export const handler = plainHttpHandler(route, async ({ event }) => {
  const headers = { vary: 'accept-encoding' };
  if (acceptsBrotli(event.headers['accept-encoding'])) {
    return { encoded: { body: compressed, base64: true }, headers: { ...headers, 'content-encoding': 'br' } };
  }
  json ??= brotliDecompressSync(Buffer.from(compressed, 'base64')).toString('utf8');
  return { encoded: { body: json, base64: false }, headers };
});
