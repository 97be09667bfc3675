/**
 * Pictures and videos: declared with POST /media (which refuses a wrong type or size with the reason), sent
 * straight to storage with a progress bar, checked by the server (ready or rejected, with the reason), then
 * sent as a message through the outbox like any text.
 */
import { signal } from '@preact/signals';
import { type Schemas, UploadError, uploadToPresignedPost } from '../../../client';
import { sendMessage } from './outbox';
import { call, failure, type Result } from './result';
import { api } from './session';

export interface Upload {
  id: string;
  conversationId: string;
  fileName: string;
  progress: number;
  state: 'uploading' | 'checking' | 'failed';
  error?: string;
}

export const uploads = signal<Upload[]>([]);

const CHECK_POLL_MS = 300;
const CHECK_TIMEOUT_MS = 60_000;

function patch(id: string, change: Partial<Upload> | null) {
  uploads.value =
    change === null
      ? uploads.value.filter((upload) => upload.id !== id)
      : uploads.value.map((upload) => (upload.id === id ? { ...upload, ...change } : upload));
}

/** Uploads a file and waits for the server's check; the media id once it is ready. */
export async function uploadMedia(
  file: File,
  purpose: Schemas['CreateMediaRequest']['purpose'],
  onProgress: (fraction: number) => void,
  onChecking: () => void = () => undefined,
): Promise<Result<string>> {
  const declared = await call(
    api().POST('/media', {
      body: {
        purpose,
        // Declared as the browser typed it, even when it is not one the API accepts: the server's 400 then
        // says which types it does accept, and the app shows that (one list of types, on the server).
        contentType: (file.type ||
          'application/octet-stream') as Schemas['CreateMediaRequest']['contentType'],
        size: file.size,
        ...(file.name ? { fileName: file.name.slice(0, 255) } : {}),
      },
    }),
  );
  if (!declared.ok) return declared;
  try {
    await uploadToPresignedPost(declared.value.upload, file, { onProgress });
  } catch (error) {
    return failure(error instanceof UploadError ? error.message : 'The upload failed.');
  }
  onChecking();
  const deadline = Date.now() + CHECK_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const media = await call(api().GET('/media/{id}', { params: { path: { id: declared.value.id } } }));
    if (!media.ok) return media;
    if (media.value.status === 'ready') return { ok: true, value: media.value.id };
    if (media.value.status === 'rejected') {
      return failure(
        `The file was refused: ${media.value.rejectionReason ?? 'it is not what it claims to be'}.`,
        422,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, CHECK_POLL_MS));
  }
  return failure('The server did not finish checking the file in time. Try again.');
}

/** Uploads an attachment and sends it as an image or video message. */
export async function sendAttachment(conversationId: string, file: File): Promise<void> {
  const id = crypto.randomUUID();
  uploads.value = [
    ...uploads.value,
    { id, conversationId, fileName: file.name || 'file', progress: 0, state: 'uploading' },
  ];
  const result = await uploadMedia(
    file,
    'attachment',
    (progress) => patch(id, { progress }),
    () => patch(id, { state: 'checking', progress: 1 }),
  );
  if (!result.ok) {
    patch(id, { state: 'failed', error: result.problem.detail });
    return;
  }
  patch(id, null);
  sendMessage(
    conversationId,
    file.type.startsWith('video/')
      ? { type: 'video', video: result.value }
      : { type: 'image', image: result.value },
  );
}

export function dismissUpload(id: string) {
  patch(id, null);
}

export function clearUploads() {
  uploads.value = [];
}
