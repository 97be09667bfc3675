/** Uploads a small PNG as the user's attachment, the way a client does, and waits until it is ready. */
import { expect } from 'vitest';
import type { SignedInUser, TestApi } from './api';
import { pngImage } from './media-fixtures';

export async function uploadImage(api: TestApi, user: SignedInUser): Promise<string> {
  const bytes = pngImage(4);
  const declared = await api.request('POST', '/media', {
    token: user.token,
    body: { purpose: 'attachment', contentType: 'image/png', size: bytes.length },
  });
  expect(declared.status).toBe(201);
  const form = new FormData();
  for (const [name, value] of Object.entries(declared.body.upload.fields as Record<string, string>)) {
    form.append(name, value);
  }
  form.append('file', new Blob([bytes], { type: 'image/png' }));
  expect((await fetch(declared.body.upload.url, { method: 'POST', body: form })).status).toBeLessThan(300);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const media = await api.request('GET', `/media/${declared.body.id}`, { token: user.token });
    if (media.body.status !== 'pending' || Date.now() > deadline) {
      expect(media.body.status).toBe('ready');
      return declared.body.id;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
