import { describe, expect, it } from 'vitest';
import {
  orientationOnlyTiff,
  readOrientation,
  stripMetadata,
  UnreadableImageError,
} from '../../functions/shared/media/strip-metadata';
import {
  exifWithGps,
  GPS_LATITUDE_BYTES,
  GPS_MARKER,
  gifWithMetadata,
  imageDimensions,
  jpegSegments,
  jpegWithMetadata,
  pngChunks,
  pngImage,
  pngWithMetadata,
  riffChunks,
  webpWithMetadata,
} from '../support/media-fixtures';

/** Nothing of the GPS block, the XMP packet or the other text survives anywhere in the file. */
function expectNoLocation(bytes: Buffer) {
  expect(bytes.includes(GPS_MARKER)).toBe(false);
  expect(bytes.includes(GPS_LATITUDE_BYTES)).toBe(false);
  expect(bytes.includes('xmpmeta')).toBe(false);
  expect(bytes.includes('Phone')).toBe(false); // the camera make in IFD0
}

describe('the EXIF orientation', () => {
  it('is read from EXIF that also holds GPS, and written back as an EXIF with that tag alone', () => {
    expect(readOrientation(exifWithGps(6))).toBe(6);
    const minimal = orientationOnlyTiff(6);
    expect(readOrientation(minimal)).toBe(6);
    expect(minimal.readUInt16BE(8)).toBe(1); // one IFD entry
  });

  it('is ignored when it is the default (1), out of range, or the EXIF is truncated', () => {
    expect(readOrientation(exifWithGps(1))).toBeUndefined();
    expect(readOrientation(exifWithGps(9))).toBeUndefined();
    expect(readOrientation(exifWithGps(6).subarray(0, 12))).toBeUndefined();
  });
});

describe('stripping a JPEG', () => {
  const original = jpegWithMetadata({ width: 16, height: 8, orientation: 6 });
  const stripped = stripMetadata('image/jpeg', original);
  const markers = (bytes: Buffer) => jpegSegments(bytes).map((segment) => segment.marker);

  it('removes GPS EXIF, XMP, IPTC, comments and whatever follows the image', () => {
    expect(original.includes(GPS_MARKER)).toBe(true);
    expectNoLocation(stripped);
    expect(markers(stripped)).not.toContain(0xed); // IPTC
    expect(markers(stripped)).not.toContain(0xfe); // comment
    expect(stripped.subarray(-2)).toEqual(Buffer.from([0xff, 0xd9])); // ends at its end-of-image
  });

  it('keeps the orientation (alone), the ICC profile, and the image unchanged', () => {
    const exif = jpegSegments(stripped).filter((segment) => segment.marker === 0xe1);
    expect(exif).toHaveLength(1);
    expect(exif[0]?.payload.subarray(6)).toEqual(orientationOnlyTiff(6));
    expect(
      jpegSegments(stripped).some(
        (segment) => segment.marker === 0xe2 && segment.payload.includes('ICC_PROFILE'),
      ),
    ).toBe(true);
    expect(imageDimensions(stripped)).toEqual({ width: 16, height: 8 });
    expect(markers(stripped).slice(0, 2)).toEqual([0xe0, 0xe1]); // JFIF first, then the orientation
    // The tables, frame, scan header and entropy-coded data are the original bytes.
    const scanStart = (bytes: Buffer) => bytes.indexOf(Buffer.from([0xff, 0xdb]));
    expect(stripped.subarray(scanStart(stripped))).toEqual(
      original.subarray(scanStart(original), original.indexOf(Buffer.from([0xff, 0xd9])) + 2),
    );
  });

  it('writes no EXIF at all for an upright photo', () => {
    const upright = stripMetadata('image/jpeg', jpegWithMetadata({ orientation: 1 }));
    expect(markers(upright)).not.toContain(0xe1);
  });

  it.each([
    ['no start-of-image marker', Buffer.from('<html><script>alert(1)</script>')],
    ['a cut-off file', jpegWithMetadata().subarray(0, 300)],
    ['a wrong segment length', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0xff, 0xff, 0, 0])],
  ])('refuses %s as unreadable', (_case, bytes) => {
    expect(() => stripMetadata('image/jpeg', bytes)).toThrow(UnreadableImageError);
  });
});

describe('stripping a PNG', () => {
  const original = pngWithMetadata(3, 6);
  const stripped = stripMetadata('image/png', original);
  const types = (bytes: Buffer) => pngChunks(bytes).map((chunk) => chunk.type);

  it('removes eXIf with GPS, XMP, text and time chunks and whatever follows IEND', () => {
    expect(types(original)).toEqual(expect.arrayContaining(['eXIf', 'tEXt', 'iTXt', 'tIME']));
    expectNoLocation(stripped);
    expect(types(stripped)).toEqual(['IHDR', 'pHYs', 'eXIf', 'IDAT', 'IEND']);
  });

  it('keeps the image chunks byte for byte, a valid orientation-only eXIf, and the dimensions', () => {
    const chunks = pngChunks(stripped);
    expect(chunks.every((chunk) => chunk.crcValid)).toBe(true);
    expect(chunks.find((chunk) => chunk.type === 'eXIf')?.data).toEqual(orientationOnlyTiff(6));
    const data = (bytes: Buffer) => pngChunks(bytes).find((chunk) => chunk.type === 'IDAT')?.data;
    expect(data(stripped)).toEqual(data(original));
    expect(imageDimensions(stripped)).toEqual({ width: 3, height: 3 });
  });

  it('leaves a PNG without metadata exactly as it was', () => {
    const plain = pngImage(4);
    expect(stripMetadata('image/png', plain)).toEqual(plain);
  });

  it.each([
    ['no signature', Buffer.from('GIF89a')],
    ['a cut-off file', pngImage(4).subarray(0, 40)],
    [
      'an unknown critical chunk',
      Buffer.concat([
        pngImage(2).subarray(0, 33),
        Buffer.from([0, 0, 0, 0]),
        Buffer.from('ABCD'),
        Buffer.alloc(4),
      ]),
    ],
  ])('refuses %s as unreadable', (_case, bytes) => {
    expect(() => stripMetadata('image/png', bytes)).toThrow(UnreadableImageError);
  });
});

describe('stripping a WebP', () => {
  const original = webpWithMetadata({ width: 4, height: 3, orientation: 6 });
  const stripped = stripMetadata('image/webp', original);

  it('removes the EXIF with GPS, the XMP and unknown chunks', () => {
    expectNoLocation(stripped);
    expect(riffChunks(stripped).map((chunk) => chunk.fourCc)).toEqual(['VP8X', 'VP8L', 'EXIF']);
  });

  it('keeps the bitstream, the dimensions, the orientation, and flags that match its chunks', () => {
    const chunks = riffChunks(stripped);
    const payload = (bytes: Buffer, fourCc: string) =>
      riffChunks(bytes).find((chunk) => chunk.fourCc === fourCc)?.payload;
    expect(payload(stripped, 'VP8L')).toEqual(payload(original, 'VP8L'));
    expect(chunks.find((chunk) => chunk.fourCc === 'EXIF')?.payload).toEqual(orientationOnlyTiff(6));
    const flags = payload(stripped, 'VP8X')?.[0] ?? 0;
    expect(flags & 0x08).toBe(0x08); // EXIF present
    expect(flags & 0x04).toBe(0); // XMP gone
    expect(flags & 0x10).toBe(0x10); // alpha kept
    expect(imageDimensions(stripped)).toEqual({ width: 4, height: 3 });
  });

  it('clears the EXIF flag when no orientation is kept', () => {
    const upright = stripMetadata('image/webp', webpWithMetadata({ orientation: 1 }));
    expect(riffChunks(upright).map((chunk) => chunk.fourCc)).toEqual(['VP8X', 'VP8L']);
    expect((riffChunks(upright)[0]?.payload[0] ?? 0) & 0x0c).toBe(0);
  });

  it('refuses a file shorter than its RIFF header says', () => {
    expect(() => stripMetadata('image/webp', webpWithMetadata().subarray(0, 40))).toThrow(
      UnreadableImageError,
    );
  });
});

describe('stripping a GIF', () => {
  const original = gifWithMetadata();
  const stripped = stripMetadata('image/gif', original);

  it('removes comments, XMP and whatever follows the trailer, and keeps the loop setting', () => {
    expectNoLocation(stripped);
    expect(stripped.includes('NETSCAPE2.0')).toBe(true);
    expect(stripped.at(-1)).toBe(0x3b);
    expect(imageDimensions(stripped)).toEqual({ width: 1, height: 1 });
  });

  it('refuses a GIF that ends before its trailer', () => {
    expect(() => stripMetadata('image/gif', original.subarray(0, 30))).toThrow(UnreadableImageError);
  });
});
