/**
 * Media end to end through the local stack: presigned POST uploads to s3rver (into quarantine), the upload
 * check driven by s3rver's events, messages and avatars that use the media, and the CDN emulation's
 * signature checks and headers. s3rver enforces no POST policy, so the policy we generate is asserted
 * directly, and oversized, mislabelled or replayed files are shown to be handled by our own check.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { directConversation, type SignedInUser, signUpAndLogin, useApi } from '../support/api';
import {
  GPS_MARKER,
  htmlPretendingToBeVideo,
  imageDimensions,
  jpegWithMetadata,
  mp4Video,
  pdfDocument,
  pngImage,
  wavAudio,
  zipArchive,
} from '../support/media-fixtures';
import { rawGet } from '../support/raw-http';
import { connect } from '../support/ws';

const api = useApi();

interface Upload {
  id: string;
  status: string;
  upload: { method: string; url: string; fields: Record<string, string> };
  expiresAt: string;
}

async function declare(user: SignedInUser, body: Record<string, unknown>) {
  return api.request<Upload & { errors: { field: string }[] }>('POST', '/media', { token: user.token, body });
}

/** Posts the file the way a browser form would: the returned fields first, the file last. */
async function postFile(upload: Upload, bytes: Buffer, contentType: string) {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.upload.fields)) form.append(name, value);
  form.append('file', new Blob([bytes], { type: contentType }));
  return fetch(upload.upload.url, { method: 'POST', body: form });
}

async function waitForSettled(user: SignedInUser, mediaId: string) {
  // Below the test timeout, so a stuck upload fails with its status rather than a timeout.
  const deadline = Date.now() + 12_000;
  for (;;) {
    const media = await api.request('GET', `/media/${mediaId}`, { token: user.token });
    if (media.body.status !== 'pending' || Date.now() > deadline) return media.body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function uploadReady(
  user: SignedInUser,
  purpose: string,
  contentType: string,
  bytes: Buffer,
  fileName?: string,
) {
  const declared = await declare(user, {
    purpose,
    contentType,
    size: bytes.length,
    ...(fileName ? { fileName } : {}),
  });
  expect(declared.status).toBe(201);
  const posted = await postFile(declared.body, bytes, contentType);
  expect(posted.status).toBeLessThan(300);
  const settled = await waitForSettled(user, declared.body.id);
  expect(settled.status).toBe('ready');
  return declared.body.id;
}

const bytesOf = async (url: string) => {
  const response = await fetch(url);
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    headers: response.headers,
    bytes: Buffer.from(await response.arrayBuffer()),
  };
};

/** The object's bytes straight from the bucket (s3rver), or undefined when there is none. */
async function storedObject(key: string): Promise<Buffer | undefined> {
  const s3 = new S3Client({
    endpoint: api.s3Endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: 'chat-media', Key: key }));
    return Buffer.from((await object.Body?.transformToByteArray()) ?? []);
  } catch {
    return undefined;
  } finally {
    s3.destroy();
  }
}
const objectExists = async (key: string) => (await storedObject(key)) !== undefined;

/** Waits until the upload check has taken a quarantined object away (it always deletes it in the end). */
async function untilQuarantineEmpty(key: string) {
  const deadline = Date.now() + 5000;
  while ((await objectExists(key)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

const servedKey = (purpose: string, user: SignedInUser, mediaId: string) =>
  `${purpose}s/${user.id}/${mediaId}`;

describe('upload requests', () => {
  it('returns a presigned POST whose policy pins the key under the caller, the type, the size and a short expiry', async () => {
    const user = await signUpAndLogin(api);
    const before = Date.now();
    const response = await declare(user, {
      purpose: 'attachment',
      contentType: 'video/mp4',
      size: 4096,
      fileName: 'clip.mp4',
    });

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ status: 'pending', upload: { method: 'POST' } });
    const { fields } = response.body.upload;
    expect(fields.key).toBe(`uploads/attachment/${user.id}/${response.body.id}`);
    expect(fields['Content-Type']).toBe('video/mp4');
    const policy = JSON.parse(Buffer.from(fields.Policy ?? '', 'base64').toString('utf8'));
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['eq', '$key', fields.key],
        ['eq', '$Content-Type', 'video/mp4'],
        ['content-length-range', 1, 4096],
      ]),
    );
    const expiresIn = Date.parse(policy.expiration) - before;
    expect(expiresIn).toBeGreaterThan(60_000);
    expect(expiresIn).toBeLessThanOrEqual(10 * 60_000);
  });

  it.each([
    ['an avatar that is a gif', { purpose: 'avatar', contentType: 'image/gif', size: 10 }, 'contentType'],
    ['an unsupported type', { purpose: 'attachment', contentType: 'text/html', size: 10 }, 'contentType'],
    [
      'an avatar over 5 MB',
      { purpose: 'avatar', contentType: 'image/png', size: 5 * 1024 * 1024 + 1 },
      'size',
    ],
    [
      'an image attachment over 25 MB',
      { purpose: 'attachment', contentType: 'image/jpeg', size: 25 * 1024 * 1024 + 1 },
      'size',
    ],
    [
      'a video over 100 MB',
      { purpose: 'attachment', contentType: 'video/webm', size: 100 * 1024 * 1024 + 1 },
      'size',
    ],
    ['a size of zero', { purpose: 'attachment', contentType: 'image/png', size: 0 }, 'size'],
    ['an unknown purpose', { purpose: 'banner', contentType: 'image/png', size: 10 }, 'purpose'],
  ])('refuses %s with a 400 naming the field and the limit', async (_case, body, field) => {
    const user = await signUpAndLogin(api);
    const response = await declare(user, body);

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
  });

  it.each(['toString', 'constructor', 'valueOf', '__proto__', 'hasOwnProperty'])(
    'refuses the content type "%s" (a name on Object.prototype) with any size',
    async (contentType) => {
      const user = await signUpAndLogin(api);
      const response = await declare(user, { purpose: 'attachment', contentType, size: 50 * 1024 ** 3 });

      expect(response.status).toBe(400);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toEqual(
        expect.arrayContaining(['contentType', 'size']),
      );
    },
  );

  it("hides another user's upload status behind a 404", async () => {
    const [owner, other] = await Promise.all([signUpAndLogin(api), signUpAndLogin(api)]);
    const declared = await declare(owner, { purpose: 'attachment', contentType: 'image/png', size: 100 });

    const response = await api.request('GET', `/media/${declared.body.id}`, { token: other.token });

    expect(response.status).toBe(404);
  });
});

describe('image and video messages', () => {
  it('sends an uploaded PNG and serves the same bytes through a signed CDN URL', async () => {
    const [alice, bob] = await Promise.all([signUpAndLogin(api), signUpAndLogin(api)]);
    const png = pngImage(3);
    const mediaId = await uploadReady(alice, 'attachment', 'image/png', png);
    const conversationId = await directConversation(api, alice, bob);

    const sent = await api.request('POST', `/conversations/${conversationId}/messages`, {
      token: alice.token,
      body: { content: { type: 'image', image: mediaId, metadata: { width: 3, height: 3 } } },
    });

    expect(sent.status).toBe(201);
    expect(sent.body.content).toMatchObject({
      type: 'image',
      image: mediaId,
      contentType: 'image/png',
      size: png.length,
      metadata: { width: 3 },
    });
    const history = await api.request('GET', `/conversations/${conversationId}/messages`, {
      token: bob.token,
    });
    const fetched = await bytesOf(history.body.items[0].content.url);
    expect(fetched.status).toBe(200);
    expect(fetched.type).toBe('image/png');
    expect(fetched.bytes.equals(png)).toBe(true);
  });

  it('sends an uploaded MP4 through the older POST /messages with a bare token', async () => {
    const [alice, bob] = await Promise.all([signUpAndLogin(api), signUpAndLogin(api)]);
    const mp4 = mp4Video(4096);
    const mediaId = await uploadReady(alice, 'attachment', 'video/mp4', mp4);

    const sent = await api.request('POST', '/messages', {
      token: alice.token,
      bareToken: true,
      body: {
        sender: alice.id,
        recipient: bob.id,
        content: { type: 'video', video: mediaId, metadata: { seconds: 1 } },
      },
    });

    expect(sent.status).toBe(201);
    expect(sent.body.content).toMatchObject({
      type: 'video',
      video: mediaId,
      contentType: 'video/mp4',
      size: mp4.length,
    });
    const fetched = await bytesOf(sent.body.content.url);
    expect(fetched.status).toBe(200);
    expect(fetched.bytes.equals(mp4)).toBe(true);
  });

  it("refuses another user's media, pending media, an avatar, and a video sent as an image", async () => {
    const [alice, bob] = await Promise.all([signUpAndLogin(api), signUpAndLogin(api)]);
    const conversationId = await directConversation(api, alice, bob);
    const bobsImage = await uploadReady(bob, 'attachment', 'image/png', pngImage());
    const alicesAvatar = await uploadReady(alice, 'avatar', 'image/png', pngImage());
    const alicesVideo = await uploadReady(alice, 'attachment', 'video/mp4', mp4Video());
    const pending = (await declare(alice, { purpose: 'attachment', contentType: 'image/png', size: 100 }))
      .body.id;

    const attempts = [
      { type: 'image', image: bobsImage },
      { type: 'image', image: pending },
      { type: 'image', image: alicesAvatar },
      { type: 'image', image: alicesVideo },
      { type: 'video', video: '01ARZ3NDEKTSV4RRFFQ69G5FAV' },
    ];
    for (const content of attempts) {
      const response = await api.request('POST', `/conversations/${conversationId}/messages`, {
        token: alice.token,
        body: { content },
      });
      expect(response.status, JSON.stringify(content)).toBe(400);
      expect(response.body.errors[0].field).toBe(`content.${content.type}`);
    }
    const history = await api.request('GET', `/conversations/${conversationId}/messages`, {
      token: alice.token,
    });
    expect(history.body.items).toEqual([]);
  });

  it('refuses metadata over 2 KB', async () => {
    const [alice, bob] = await Promise.all([signUpAndLogin(api), signUpAndLogin(api)]);
    const conversationId = await directConversation(api, alice, bob);
    const mediaId = await uploadReady(alice, 'attachment', 'image/png', pngImage());

    const response = await api.request('POST', `/conversations/${conversationId}/messages`, {
      token: alice.token,
      body: { content: { type: 'image', image: mediaId, metadata: { caption: 'x'.repeat(2100) } } },
    });

    expect(response.status).toBe(400);
    expect(response.body.errors[0].field).toBe('content.metadata');
  });
});

describe('the upload check (what S3 would refuse, s3rver does not)', () => {
  it('rejects a "video" that is really HTML and deletes the object', async () => {
    const user = await signUpAndLogin(api);
    const html = htmlPretendingToBeVideo();
    const declared = await declare(user, {
      purpose: 'attachment',
      contentType: 'video/mp4',
      size: html.length,
    });

    await postFile(declared.body, html, 'video/mp4');
    const settled = await waitForSettled(user, declared.body.id);

    expect(settled).toMatchObject({
      status: 'rejected',
      rejectionReason: expect.stringContaining('not video/mp4'),
    });
    expect(await objectExists(declared.body.upload.fields.key ?? '')).toBe(false);
    expect(await objectExists(servedKey('attachment', user, declared.body.id))).toBe(false);
  });

  it('rejects a file larger than declared', async () => {
    const user = await signUpAndLogin(api);
    const png = pngImage(40);
    const declared = await declare(user, { purpose: 'attachment', contentType: 'image/png', size: 20 });

    await postFile(declared.body, png, 'image/png');

    expect(await waitForSettled(user, declared.body.id)).toMatchObject({
      status: 'rejected',
      rejectionReason: expect.stringContaining('exceeds the declared'),
    });
  });

  it('rejects a file stored with another content type than declared', async () => {
    const user = await signUpAndLogin(api);
    const png = pngImage();
    const declared = await declare(user, {
      purpose: 'attachment',
      contentType: 'image/png',
      size: png.length,
    });
    const tampered = {
      ...declared.body,
      upload: {
        ...declared.body.upload,
        fields: { ...declared.body.upload.fields, 'Content-Type': 'image/gif' },
      },
    };

    await postFile(tampered, png, 'image/gif');

    expect(await waitForSettled(user, declared.body.id)).toMatchObject({ status: 'rejected' });
  });
});

describe('quarantine: uploads are served only as the copy the check made', () => {
  it('lands the upload in quarantine, serves the checked copy, and empties quarantine', async () => {
    const user = await signUpAndLogin(api);
    const png = pngImage(4);
    const declared = await declare(user, { purpose: 'avatar', contentType: 'image/png', size: png.length });
    await postFile(declared.body, png, 'image/png');

    expect(await waitForSettled(user, declared.body.id)).toMatchObject({ status: 'ready' });
    await untilQuarantineEmpty(declared.body.upload.fields.key ?? '');
    expect(await objectExists(declared.body.upload.fields.key ?? '')).toBe(false);
    expect((await storedObject(servedKey('avatar', user, declared.body.id)))?.equals(png)).toBe(true);
  });

  it('deletes a second upload with the same presigned POST once the media is ready: the checked file stays', async () => {
    const user = await signUpAndLogin(api);
    const png = pngImage(4);
    const declared = await declare(user, { purpose: 'avatar', contentType: 'image/png', size: png.length });
    await postFile(declared.body, png, 'image/png');
    expect(await waitForSettled(user, declared.body.id)).toMatchObject({ status: 'ready' });
    const quarantineKey = declared.body.upload.fields.key ?? '';
    await untilQuarantineEmpty(quarantineKey);

    const html = Buffer.from('<!doctype html><script>document.cookie</script>'.padEnd(png.length, ' '));
    expect((await postFile(declared.body, html, 'image/png')).status).toBeLessThan(300);
    await untilQuarantineEmpty(quarantineKey);

    expect(await objectExists(quarantineKey)).toBe(false);
    const media = await api.request('GET', `/media/${declared.body.id}`, { token: user.token });
    expect(media.body).toMatchObject({ status: 'ready', size: png.length });
    const served = await bytesOf(`${api.cdnUrl}/${servedKey('avatar', user, declared.body.id)}`);
    expect(served.status).toBe(200);
    expect(served.bytes.equals(png)).toBe(true);
  });

  it('deletes an upload that arrives after a rejection: nothing is ever served for that media', async () => {
    const user = await signUpAndLogin(api);
    const png = pngImage(4);
    const declared = await declare(user, { purpose: 'avatar', contentType: 'image/png', size: png.length });
    await postFile(declared.body, htmlPretendingToBeVideo(), 'image/png');
    expect(await waitForSettled(user, declared.body.id)).toMatchObject({ status: 'rejected' });
    const quarantineKey = declared.body.upload.fields.key ?? '';
    await untilQuarantineEmpty(quarantineKey);

    await postFile(declared.body, png, 'image/png');
    await untilQuarantineEmpty(quarantineKey);

    expect(await objectExists(quarantineKey)).toBe(false);
    expect((await api.request('GET', `/media/${declared.body.id}`, { token: user.token })).body.status).toBe(
      'rejected',
    );
    expect(await objectExists(servedKey('avatar', user, declared.body.id))).toBe(false);
    expect((await bytesOf(`${api.cdnUrl}/${servedKey('avatar', user, declared.body.id)}`)).status).toBe(404);
  });
});

describe('image metadata', () => {
  it('strips GPS EXIF, XMP and comments from a JPEG before serving it, keeping orientation and dimensions', async () => {
    const user = await signUpAndLogin(api);
    const jpeg = jpegWithMetadata({ width: 16, height: 8, orientation: 6 });
    const mediaId = await uploadReady(user, 'avatar', 'image/jpeg', jpeg);

    const served = await bytesOf(`${api.cdnUrl}/${servedKey('avatar', user, mediaId)}`);

    expect(served.status).toBe(200);
    expect(jpeg.includes(GPS_MARKER)).toBe(true);
    expect(served.bytes.includes(GPS_MARKER)).toBe(false);
    expect(served.bytes.includes('Exif')).toBe(true); // the orientation-only EXIF
    expect(imageDimensions(served.bytes)).toEqual({ width: 16, height: 8 });
    const media = await api.request('GET', `/media/${mediaId}`, { token: user.token });
    expect(media.body).toMatchObject({ contentType: 'image/jpeg', size: served.bytes.length });
    expect(served.bytes.length).toBeLessThan(jpeg.length);
  });

  it('rejects an image whose structure does not parse, and serves nothing', async () => {
    const user = await signUpAndLogin(api);
    const truncated = pngImage(8).subarray(0, 45);
    const declared = await declare(user, {
      purpose: 'attachment',
      contentType: 'image/png',
      size: truncated.length,
    });

    await postFile(declared.body, truncated, 'image/png');

    expect(await waitForSettled(user, declared.body.id)).toMatchObject({
      status: 'rejected',
      rejectionReason: expect.stringContaining('not a readable PNG'),
    });
    expect(await objectExists(servedKey('attachment', user, declared.body.id))).toBe(false);
  });
});

describe('the CDN', () => {
  it('refuses attachment URLs that are unsigned, tampered or expired', async () => {
    const [alice, bob] = await Promise.all([signUpAndLogin(api), signUpAndLogin(api)]);
    const mediaId = await uploadReady(alice, 'attachment', 'image/png', pngImage());
    const conversationId = await directConversation(api, alice, bob);
    const sent = await api.request('POST', `/conversations/${conversationId}/messages`, {
      token: alice.token,
      body: { content: { type: 'image', image: mediaId } },
    });
    const signed = new URL(sent.body.content.url);
    const { signedUrl } = await import('../../functions/shared/media/cdn');
    const key = signed.pathname.slice(1);
    const expired = await signedUrl(key, new Date(Date.now() - 3600_000));
    const otherKey = new URL(signed);
    otherKey.pathname = `/attachments/${alice.id}/01ARZ3NDEKTSV4RRFFQ69G5FAV`;
    const laterExpiry = new URL(signed);
    laterExpiry.searchParams.set('Expires', String(Number(signed.searchParams.get('Expires')) + 3600));

    expect((await bytesOf(signed.href)).status).toBe(200);
    expect((await bytesOf(`${signed.origin}${signed.pathname}`)).status).toBe(403);
    expect((await bytesOf(laterExpiry.href)).status).toBe(403);
    expect((await bytesOf(otherKey.href)).status).toBe(403);
    expect((await bytesOf(expired.url)).status).toBe(403);
  });

  it('serves attachments with nosniff, a sandboxing CSP and the inline disposition the check stored', async () => {
    const [alice, bob] = await Promise.all([signUpAndLogin(api), signUpAndLogin(api)]);
    const mediaId = await uploadReady(alice, 'attachment', 'video/mp4', mp4Video());
    const conversationId = await directConversation(api, alice, bob);
    const sent = await api.request('POST', `/conversations/${conversationId}/messages`, {
      token: alice.token,
      body: { content: { type: 'video', video: mediaId } },
    });

    const fetched = await bytesOf(sent.body.content.url);

    expect(fetched.status).toBe(200);
    expect(fetched.type).toBe('video/mp4');
    expect(fetched.headers.get('x-content-type-options')).toBe('nosniff');
    expect(fetched.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(fetched.headers.get('content-disposition')).toBe('inline');
  });

  it('does not serve an attachment unsigned through a percent-encoded path (avatars%2F..%2Fattachments)', async () => {
    const user = await signUpAndLogin(api);
    const png = pngImage(6, [1, 2, 3]);
    const mediaId = await uploadReady(user, 'attachment', 'image/png', png);

    for (const path of [
      `/avatars%2F..%2Fattachments/${user.id}/${mediaId}`,
      `/avatars/..%2Fattachments/${user.id}/${mediaId}`,
      `/avatars/${user.id}/..%2F..%2Fattachments%2F${user.id}%2F${mediaId}`,
    ]) {
      const response = await rawGet(api.cdnUrl, path);
      expect(response.status, path).not.toBe(200);
      expect(response.body.equals(png), path).toBe(false);
    }
  });
});

describe('profile pictures', () => {
  it('sets an uploaded avatar, shows avatarUrl on profiles and serves it without a signature', async () => {
    const [alice, bob] = await Promise.all([signUpAndLogin(api), signUpAndLogin(api)]);
    const png = pngImage(5, [10, 200, 10]);
    const mediaId = await uploadReady(alice, 'avatar', 'image/png', png);

    const updated = await api.request('PATCH', '/users/me', {
      token: alice.token,
      body: { avatarMediaId: mediaId },
    });

    expect(updated.status).toBe(200);
    expect(updated.body.avatarUrl).toMatch(new RegExp(`/avatars/${alice.id}/${mediaId}$`));
    const seenByBob = await api.request('GET', `/users/${alice.id}`, { token: bob.token });
    expect(seenByBob.body.avatarUrl).toBe(updated.body.avatarUrl);
    const fetched = await bytesOf(updated.body.avatarUrl);
    expect(fetched.status).toBe(200);
    expect(fetched.bytes.equals(png)).toBe(true);

    const cleared = await api.request('PATCH', '/users/me', {
      token: alice.token,
      body: { avatarMediaId: null },
    });
    expect(cleared.body.avatarUrl).toBeNull();
  });

  it("refuses an attachment or another user's avatar as a profile picture", async () => {
    const [alice, bob] = await Promise.all([signUpAndLogin(api), signUpAndLogin(api)]);
    const attachment = await uploadReady(alice, 'attachment', 'image/png', pngImage());
    const bobsAvatar = await uploadReady(bob, 'avatar', 'image/png', pngImage());

    for (const avatarMediaId of [attachment, bobsAvatar]) {
      const response = await api.request('PATCH', '/users/me', {
        token: alice.token,
        body: { avatarMediaId },
      });
      expect(response.status).toBe(400);
      expect(response.body.errors[0].field).toBe('avatarMediaId');
    }
    const me = await api.request('GET', '/users/me', { token: alice.token });
    expect(me.body.avatarUrl).toBeNull();
  });

  it('deletes the old picture once a new one is set, and the old upload can no longer be used', async () => {
    const user = await signUpAndLogin(api);
    const first = await uploadReady(user, 'avatar', 'image/png', pngImage(3));
    const second = await uploadReady(user, 'avatar', 'image/png', pngImage(5));
    await api.request('PATCH', '/users/me', { token: user.token, body: { avatarMediaId: first } });

    const replaced = await api.request('PATCH', '/users/me', {
      token: user.token,
      body: { avatarMediaId: second },
    });
    await api.drainStreams();

    expect(replaced.status).toBe(200);
    expect(replaced.body.avatarUrl).toMatch(new RegExp(`/avatars/${user.id}/${second}$`));
    expect((await bytesOf(replaced.body.avatarUrl)).status).toBe(200);
    expect(await objectExists(servedKey('avatar', user, first))).toBe(false);
    expect((await bytesOf(`${api.cdnUrl}/${servedKey('avatar', user, first)}`)).status).toBe(404);
    expect((await api.request('GET', `/media/${first}`, { token: user.token })).status).toBe(404);
    const reuse = await api.request('PATCH', '/users/me', {
      token: user.token,
      body: { avatarMediaId: first },
    });
    expect(reuse.status).toBe(400);
    expect((await api.request('GET', '/users/me', { token: user.token })).body.avatarUrl).toBe(
      replaced.body.avatarUrl,
    );
  });

  it('deletes the picture when it is removed, and keeps it when the same one is set again', async () => {
    const user = await signUpAndLogin(api);
    const avatar = await uploadReady(user, 'avatar', 'image/png', pngImage(3));
    await api.request('PATCH', '/users/me', { token: user.token, body: { avatarMediaId: avatar } });
    await api.request('PATCH', '/users/me', { token: user.token, body: { avatarMediaId: avatar } });
    await api.request('PATCH', '/users/me', { token: user.token, body: { displayName: 'Renamed' } });
    await api.drainStreams();
    expect(await objectExists(servedKey('avatar', user, avatar))).toBe(true);

    const removed = await api.request('PATCH', '/users/me', {
      token: user.token,
      body: { avatarMediaId: null },
    });
    await api.drainStreams();

    expect(removed.body.avatarUrl).toBeNull();
    expect(await objectExists(servedKey('avatar', user, avatar))).toBe(false);
  });
});

describe('files and voice notes', () => {
  const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

  it('sends a PDF as a file message that downloads under its (safely encoded) original name, live to the other member', async () => {
    const [alice, bob] = await Promise.all([signUpAndLogin(api), signUpAndLogin(api)]);
    const conversationId = await directConversation(api, alice, bob);
    const pdf = pdfDocument();
    const mediaId = await uploadReady(alice, 'attachment', 'application/pdf', pdf, 'Fällig "Q3".pdf');
    const bobSocket = await connect(api.wsUrl, bob.token);

    try {
      const sent = await api.request('POST', `/conversations/${conversationId}/messages`, {
        token: alice.token,
        body: { content: { type: 'file', file: mediaId } },
      });

      expect(sent.status).toBe(201);
      expect(sent.body.content).toMatchObject({
        type: 'file',
        file: mediaId,
        fileName: 'Fällig "Q3".pdf',
        contentType: 'application/pdf',
        size: pdf.length,
      });
      const event = await bobSocket.waitFor(
        (candidate) => candidate.type === 'message.created' && candidate.message.id === sent.body.id,
      );
      expect(event.type === 'message.created' && event.message.content).toMatchObject({
        type: 'file',
        fileName: 'Fällig "Q3".pdf',
      });
      const fetched = await bytesOf(sent.body.content.url);
      expect(fetched.status).toBe(200);
      expect(fetched.type).toBe('application/pdf');
      expect(fetched.bytes.equals(pdf)).toBe(true);
      expect(fetched.headers.get('content-disposition')).toBe(
        `attachment; filename="F_llig _Q3_.pdf"; filename*=UTF-8''F%C3%A4llig%20%22Q3%22.pdf`,
      );
      expect(fetched.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
      // The preview is written beside the live delivery, not before it: wait until the stream is handled.
      await api.drainStreams();
      const inbox = await api.request('GET', '/conversations', { token: bob.token });
      expect(inbox.body.items[0].lastMessage).toMatchObject({ type: 'file', preview: '[file]' });
      expect(bobSocket.invalid).toEqual([]);
    } finally {
      await bobSocket.close();
    }
  });

  it('sends a voice note with its duration and waveform, served as a download that players still play', async () => {
    const [alice, bob] = await Promise.all([signUpAndLogin(api), signUpAndLogin(api)]);
    const conversationId = await directConversation(api, alice, bob);
    const wav = wavAudio(300);
    const mediaId = await uploadReady(alice, 'attachment', 'audio/wav', wav, 'voice.wav');
    const waveform = Array.from({ length: 100 }, (_, i) => (i * 7) % 256);

    const sent = await api.request('POST', `/conversations/${conversationId}/messages`, {
      token: alice.token,
      body: { content: { type: 'audio', audio: mediaId, durationMs: 300, waveform } },
    });

    expect(sent.status).toBe(201);
    const history = await api.request('GET', `/conversations/${conversationId}/messages`, {
      token: bob.token,
    });
    expect(history.body.items[0].content).toMatchObject({
      type: 'audio',
      audio: mediaId,
      durationMs: 300,
      waveform,
      fileName: 'voice.wav',
      contentType: 'audio/wav',
      size: wav.length,
    });
    const fetched = await bytesOf(history.body.items[0].content.url);
    expect(fetched.bytes.equals(wav)).toBe(true);
    expect(fetched.headers.get('content-disposition')).toMatch(/^attachment; filename="voice.wav"/);
  });

  it('accepts Office documents and zip archives by their container, and sends any attachment as a file', async () => {
    const [alice, bob] = await Promise.all([signUpAndLogin(api), signUpAndLogin(api)]);
    const conversationId = await directConversation(api, alice, bob);
    const docx = await uploadReady(alice, 'attachment', DOCX, zipArchive(), 'report.docx');
    const zip = await uploadReady(alice, 'attachment', 'application/zip', zipArchive('a.txt', 'a'));
    const text = await uploadReady(alice, 'attachment', 'text/plain', Buffer.from('notes\n'), 'n.txt');
    const picture = await uploadReady(alice, 'attachment', 'image/png', pngImage());

    for (const [mediaId, contentType] of [
      [docx, DOCX],
      [zip, 'application/zip'],
      [text, 'text/plain'],
      [picture, 'image/png'],
    ] as const) {
      const sent = await api.request('POST', `/conversations/${conversationId}/messages`, {
        token: alice.token,
        body: { content: { type: 'file', file: mediaId } },
      });
      expect(sent.status, contentType).toBe(201);
      expect(sent.body.content).toMatchObject({ type: 'file', contentType });
    }
  });

  it('rejects files whose contents are not what was declared: HTML as a PDF, binary as text, a PDF as audio', async () => {
    const [alice] = await Promise.all([signUpAndLogin(api)]);
    for (const [contentType, bytes] of [
      ['application/pdf', htmlPretendingToBeVideo()],
      ['text/plain', Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00])],
      ['audio/mpeg', pdfDocument()],
      [DOCX, pdfDocument()],
    ] as const) {
      const declared = await declare(alice, { purpose: 'attachment', contentType, size: bytes.length });
      await postFile(declared.body, bytes, contentType);
      const settled = await waitForSettled(alice, declared.body.id);
      expect(settled.status, contentType).toBe('rejected');
      expect(settled.rejectionReason).toContain(`not ${contentType}`);
    }
  });

  it('refuses bad voice notes and files: wrong kind of upload, waveform and duration out of bounds, unknown types', async () => {
    const [alice, bob] = await Promise.all([signUpAndLogin(api), signUpAndLogin(api)]);
    const conversationId = await directConversation(api, alice, bob);
    const pdf = await uploadReady(alice, 'attachment', 'application/pdf', pdfDocument());
    const wav = await uploadReady(alice, 'attachment', 'audio/wav', wavAudio(50));
    const bobsPdf = await uploadReady(bob, 'attachment', 'application/pdf', pdfDocument());

    const attempts: [Record<string, unknown>, string][] = [
      [{ type: 'audio', audio: pdf }, 'content.audio'],
      [{ type: 'file', file: bobsPdf }, 'content.file'],
      [{ type: 'audio', audio: wav, waveform: Array(101).fill(1) }, 'content.waveform'],
      [{ type: 'audio', audio: wav, waveform: [] }, 'content.waveform'],
      [{ type: 'audio', audio: wav, waveform: [256] }, 'content.waveform.0'],
      [{ type: 'audio', audio: wav, waveform: [1.5] }, 'content.waveform.0'],
      [{ type: 'audio', audio: wav, durationMs: -1 }, 'content.durationMs'],
      [{ type: 'audio', audio: wav, durationMs: 86_400_001 }, 'content.durationMs'],
      [{ type: 'file', file: pdf, durationMs: 5 }, 'content.durationMs'],
    ];
    for (const [content, field] of attempts) {
      const response = await api.request('POST', `/conversations/${conversationId}/messages`, {
        token: alice.token,
        body: { content },
      });
      expect(response.status, JSON.stringify(content)).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    }
    const declaredExe = await declare(alice, {
      purpose: 'attachment',
      contentType: 'application/x-msdownload',
      size: 10,
    });
    expect(declaredExe.status).toBe(400);
    expect(declaredExe.body.errors.map((error) => error.field)).toEqual(['contentType']);
    const hugePdf = await declare(alice, {
      purpose: 'attachment',
      contentType: 'application/pdf',
      size: 100 * 1024 * 1024 + 1,
    });
    expect(hugePdf.status).toBe(400);
    const pdfAvatar = await declare(alice, { purpose: 'avatar', contentType: 'application/pdf', size: 10 });
    expect(pdfAvatar.status).toBe(400);
    const history = await api.request('GET', `/conversations/${conversationId}/messages`, {
      token: alice.token,
    });
    expect(history.body.items).toEqual([]);
  });
});
