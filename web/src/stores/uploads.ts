/**
 * Pictures, videos, voice notes and other files: declared with POST /media (which refuses a wrong type or size with the reason), sent
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

/** Names browsers (or operating systems) give some types, and the name the API uses for each. */
const CONTENT_TYPE_ALIASES: Readonly<Record<string, string>> = {
  'audio/x-m4a': 'audio/mp4',
  'audio/m4a': 'audio/mp4',
  'audio/mp3': 'audio/mpeg',
  'audio/x-wav': 'audio/wav',
  'audio/wave': 'audio/wav',
  'application/x-zip-compressed': 'application/zip',
};

const contentTypeOf = (file: File) => {
  const type = file.type || 'application/octet-stream';
  return Object.hasOwn(CONTENT_TYPE_ALIASES, type) ? (CONTENT_TYPE_ALIASES[type] as string) : type;
};

const SHOWN_INLINE = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'];

/** The message a ready upload becomes: pictures and videos are shown, audio played, anything else a download. */
function contentFor(file: File, mediaId: string): Schemas['SendMessageRequest']['content'] {
  const type = contentTypeOf(file);
  if (SHOWN_INLINE.includes(type)) return { type: 'image', image: mediaId };
  if (type.startsWith('video/')) return { type: 'video', video: mediaId };
  if (type.startsWith('audio/')) return { type: 'audio', audio: mediaId };
  return { type: 'file', file: mediaId };
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
        contentType: contentTypeOf(file) as Schemas['CreateMediaRequest']['contentType'],
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

/** Uploads an attachment and sends it as an image, video, audio or file message. */
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
  sendMessage(conversationId, contentFor(file, result.value));
}

export function dismissUpload(id: string) {
  patch(id, null);
}

export function clearUploads() {
  uploads.value = [];
}
