/**
 * The typed client for the chat API: every operation, parameter, body and response of docs/openapi.json,
 * checked by TypeScript, on top of openapi-fetch (a thin fetch wrapper, ~2 KB gzipped). Also the types of the
 * real-time events and a helper for the presigned media uploads. See client/README.md.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './generated/openapi';
import type { components as realtimeComponents } from './generated/realtime';

export type { paths } from './generated/openapi';
export { retryAfterSeconds } from './retry-after';
/** Every named schema of the API: `Schemas['Message']`, `Schemas['ConversationSummary']`, … */
export type Schemas = components['schemas'];
/** RFC 9457 problem details: the body of every error the API answers. */
export type Problem = Schemas['Problem'];
/** One frame the WebSocket API sends (discriminated by `type`). */
export type RealtimeEvent = realtimeComponents['schemas']['RealtimeEvent'];
/** One frame a client may send on the WebSocket (discriminated by `action`). */
export type ClientAction = realtimeComponents['schemas']['ClientAction'];
export type ChatClient = Client<paths>;

export interface ChatClientOptions {
  /** The HTTP API, e.g. `http://localhost:3000` or the stack output `ApiUrl`. */
  baseUrl: string;
  /** Gives the access token for each request; none is sent when it returns undefined. */
  accessToken?: () => string | undefined;
  /** A fetch of your own (e.g. to refresh the token and retry on 401). */
  fetch?: (request: Request) => Promise<Response>;
}

export function createChatClient(options: ChatClientOptions): ChatClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const { accessToken } = options;
  if (accessToken) {
    client.use({
      onRequest({ request }) {
        const token = accessToken();
        if (token) request.headers.set('authorization', `Bearer ${token}`);
        return request;
      },
    });
  }
  return client;
}

const isProblem = (value: unknown): value is Problem =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Problem).detail === 'string' &&
  typeof (value as Problem).status === 'number';

/**
 * The problem details of a failed call. Errors the functions answer are problem+json already; a gateway's own
 * answers (`{"message":"Not Found"}`) and network failures are turned into the same shape.
 */
export function toProblem(error: unknown, response?: Response): Problem {
  if (isProblem(error)) return error;
  const status = response?.status ?? 0;
  const message =
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { message?: unknown }).message === 'string'
      ? (error as { message: string }).message
      : undefined;
  return {
    type: status ? 'about:blank' : 'urn:chat-client:problem:network',
    title: status ? (response?.statusText ?? 'Error') : 'Network error',
    status,
    detail: status
      ? `${message ?? 'The request failed'} (HTTP ${status}).`
      : 'The server could not be reached. Check your connection.',
  };
}

/** The WebSocket subprotocols that carry an access token, so it never appears in a URL or a proxy log. */
export const realtimeProtocols = (accessToken: string): string[] => ['bearer', accessToken];

export class UploadError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'UploadError';
  }
}

/**
 * Sends a file to the presigned POST that `POST /media` returned (its fields first, the file last), reporting
 * progress as a fraction from 0 to 1. Uses XMLHttpRequest because fetch cannot report upload progress.
 * After it resolves, poll `GET /media/{id}` until the status is no longer `pending`.
 */
export function uploadToPresignedPost(
  upload: Schemas['MediaUpload']['upload'],
  file: Blob,
  options: { onProgress?: (fraction: number) => void; signal?: AbortSignal } = {},
): Promise<void> {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append('file', file);
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(upload.method, upload.url);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) options.onProgress?.(event.loaded / event.total);
    };
    request.onload = () => {
      if (request.status >= 200 && request.status < 300) {
        options.onProgress?.(1);
        resolve();
      } else {
        // S3 answers XML; its <Message> says why (e.g. the file is larger than the policy allows).
        const reason = /<Message>([^<]*)<\/Message>/.exec(request.responseText)?.[1];
        reject(new UploadError(reason ?? `The upload was refused (HTTP ${request.status}).`, request.status));
      }
    };
    request.onerror = () =>
      reject(new UploadError('The upload failed: the storage could not be reached.', 0));
    request.onabort = () => reject(new UploadError('The upload was cancelled.', 0));
    options.signal?.addEventListener('abort', () => request.abort(), { once: true });
    request.send(form);
  });
}
