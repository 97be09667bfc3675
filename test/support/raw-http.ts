/**
 * GET with the request target sent exactly as given. `fetch` (WHATWG URL) would resolve dot segments and turn
 * backslashes into slashes before sending, hiding the path tricks a server must refuse.
 */
import { request } from 'node:http';

export function rawGet(
  baseUrl: string,
  rawTarget: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = request({ hostname, port, path: rawTarget, method: 'GET' }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
      );
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}
