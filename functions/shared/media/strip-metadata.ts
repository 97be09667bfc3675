/**
 * Removes metadata from uploaded images before they are served: EXIF (camera, time, GPS position), XMP, IPTC,
 * comments, text chunks, embedded thumbnails, and anything after the end of the image. Dependency-free: it
 * walks JPEG segments, PNG chunks, WebP RIFF chunks and GIF blocks and copies only what rendering needs, the
 * pixel data byte for byte (no re-encoding, so no quality loss and no native image library in the bundle).
 *
 * Kept for rendering: ICC colour profiles, the Adobe colour-transform marker, PNG colour and animation chunks,
 * GIF loop settings, and the EXIF Orientation (rewritten as a minimal EXIF holding only that tag, so phone
 * photos are not shown rotated). A file whose structure does not parse is refused (UnreadableImageError).
 */
import { crc32 } from 'node:zlib';

export class UnreadableImageError extends Error {
  constructor(format: string, problem: string) {
    super(`not a readable ${format}: ${problem}`);
    this.name = 'UnreadableImageError';
  }
}

export type StrippableType = 'image/jpeg' | 'image/png' | 'image/webp' | 'image/gif';

export const isStrippable = (contentType: string): contentType is StrippableType =>
  contentType === 'image/jpeg' ||
  contentType === 'image/png' ||
  contentType === 'image/webp' ||
  contentType === 'image/gif';

export function stripMetadata(contentType: StrippableType, bytes: Uint8Array): Buffer {
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (contentType) {
    case 'image/jpeg':
      return stripJpeg(input);
    case 'image/png':
      return stripPng(input);
    case 'image/webp':
      return stripWebp(input);
    case 'image/gif':
      return stripGif(input);
  }
}

// ---- EXIF orientation --------------------------------------------------------------------------------------

const ORIENTATION_TAG = 0x0112;

/** The Orientation (2-8) in a TIFF structure (EXIF's body), or undefined when absent, 1, or unreadable. */
export function readOrientation(tiff: Buffer): number | undefined {
  if (tiff.length < 8) return undefined;
  const order = tiff.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return undefined;
  const little = order === 'II';
  const u16 = (at: number) => (little ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (little ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  if (u16(2) !== 42) return undefined;
  const ifd = u32(4);
  if (ifd + 2 > tiff.length) return undefined;
  const entries = u16(ifd);
  for (let i = 0; i < entries; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > tiff.length) return undefined;
    if (u16(entry) !== ORIENTATION_TAG) continue;
    const type = u16(entry + 2);
    if (type !== 3 || u32(entry + 4) !== 1) return undefined; // SHORT, one value
    const value = u16(entry + 8);
    return value >= 2 && value <= 8 ? value : undefined;
  }
  return undefined;
}

/** A TIFF structure with one IFD holding one entry, the Orientation. */
export function orientationOnlyTiff(orientation: number): Buffer {
  const tiff = Buffer.alloc(26);
  tiff.write('MM', 0, 'latin1');
  tiff.writeUInt16BE(42, 2);
  tiff.writeUInt32BE(8, 4); // IFD0 right after the header
  tiff.writeUInt16BE(1, 8); // one entry
  tiff.writeUInt16BE(ORIENTATION_TAG, 10);
  tiff.writeUInt16BE(3, 12); // SHORT
  tiff.writeUInt32BE(1, 14); // one value
  tiff.writeUInt16BE(orientation, 18); // left-justified in the 4-byte value field
  tiff.writeUInt32BE(0, 22); // no next IFD
  return tiff;
}

const EXIF_HEADER = Buffer.from('Exif\0\0', 'latin1');

// ---- JPEG --------------------------------------------------------------------------------------------------

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const APP0 = 0xe0;
const APP1 = 0xe1;
const APP2 = 0xe2;
const APP14 = 0xee;
const COM = 0xfe;

const isRestart = (marker: number) => marker >= 0xd0 && marker <= 0xd7;
const startsWithText = (data: Buffer, text: string) =>
  data.length >= text.length && data.toString('latin1', 0, text.length) === text;

function jpegSegment(marker: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header[0] = 0xff;
  header[1] = marker;
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([header, payload]);
}

function stripJpeg(input: Buffer): Buffer {
  const bad = (problem: string) => new UnreadableImageError('JPEG', problem);
  if (input[0] !== 0xff || input[1] !== SOI) throw bad('no start-of-image marker');
  const kept: Buffer[] = [];
  let orientation: number | undefined;
  let offset = 2;
  for (;;) {
    if (offset + 1 >= input.length) throw bad('it ends before its end-of-image marker');
    if (input[offset] !== 0xff) throw bad(`expected a marker at byte ${offset}`);
    const marker = input[offset + 1] ?? 0;
    if (marker === 0xff) {
      offset += 1; // fill byte before a marker
      continue;
    }
    if (marker === EOI) break; // anything after the image (a second image, a ZIP, HTML) is dropped
    if (isRestart(marker) || marker === 0x01) {
      kept.push(input.subarray(offset, offset + 2)); // markers without a length
      offset += 2;
      continue;
    }
    if (offset + 4 > input.length) throw bad('a segment header is cut off');
    const end = offset + 2 + input.readUInt16BE(offset + 2);
    if (end > input.length || end < offset + 4) throw bad(`a segment length at byte ${offset} is wrong`);
    const payload = input.subarray(offset + 4, end);
    if (marker === SOS) {
      // Entropy-coded data follows the scan header up to the next marker that is not a stuffed 0xFF00 or a
      // restart marker; it is copied as it is.
      let scanEnd = end;
      while (scanEnd < input.length) {
        if (input[scanEnd] !== 0xff) scanEnd += 1;
        else {
          const next = input[scanEnd + 1];
          if (next === undefined) break;
          if (next === 0x00 || isRestart(next)) scanEnd += 2;
          else if (next === 0xff) scanEnd += 1;
          else break;
        }
      }
      kept.push(input.subarray(offset, scanEnd));
      offset = scanEnd;
      continue;
    }
    if (marker === APP1) {
      // EXIF (incl. GPS and thumbnails) and XMP: dropped; only the orientation survives, rewritten below.
      if (orientation === undefined && startsWithText(payload, EXIF_HEADER.toString('latin1'))) {
        orientation = readOrientation(payload.subarray(EXIF_HEADER.length));
      }
    } else if (marker === APP0) {
      // JFIF is kept without its optional thumbnail (a thumbnail can show what a crop removed); JFXX and
      // other APP0 data are dropped.
      if (startsWithText(payload, 'JFIF\0') && payload.length >= 14) {
        const jfif = Buffer.from(payload.subarray(0, 14));
        jfif[12] = 0;
        jfif[13] = 0;
        kept.push(jpegSegment(APP0, jfif));
      }
    } else if (marker === APP2) {
      if (startsWithText(payload, 'ICC_PROFILE\0')) kept.push(input.subarray(offset, end)); // not FPXR or MPF
    } else if (marker === APP14) {
      if (startsWithText(payload, 'Adobe')) kept.push(input.subarray(offset, end)); // colour transform
    } else if (!(marker >= 0xe3 && marker <= 0xef) && marker !== COM) {
      kept.push(input.subarray(offset, end)); // tables, frame and restart headers: what decoding needs
    }
    offset = end;
  }
  const orientationSegment =
    orientation === undefined
      ? []
      : [jpegSegment(APP1, Buffer.concat([EXIF_HEADER, orientationOnlyTiff(orientation)]))];
  // After JFIF when there is one (JFIF wants to be first), otherwise right after the start of the image.
  const jfifFirst = kept[0]?.[1] === APP0 ? 1 : 0;
  return Buffer.concat([
    input.subarray(0, 2),
    ...kept.slice(0, jfifFirst),
    ...orientationSegment,
    ...kept.slice(jfifFirst),
    Buffer.from([0xff, EOI]),
  ]);
}

// ---- PNG ---------------------------------------------------------------------------------------------------

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

// Chunks that change how the image looks (colour, transparency, animation, physical size). Everything else
// (tEXt, zTXt, iTXt with XMP, eXIf, tIME, private chunks) is dropped.
const PNG_RENDERING_CHUNKS = new Set([
  'IHDR',
  'PLTE',
  'IDAT',
  'IEND',
  'tRNS',
  'cHRM',
  'gAMA',
  'iCCP',
  'sBIT',
  'sRGB',
  'cICP',
  'mDCV',
  'cLLI',
  'bKGD',
  'hIST',
  'pHYs',
  'sPLT',
  'acTL',
  'fcTL',
  'fdAT',
]);

function pngChunk(type: string, data: Buffer): Buffer {
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write(type, 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  return chunk;
}

function stripPng(input: Buffer): Buffer {
  const bad = (problem: string) => new UnreadableImageError('PNG', problem);
  if (input.length < 8 || !input.subarray(0, 8).equals(PNG_SIGNATURE)) throw bad('no PNG signature');
  const kept: Buffer[] = [];
  let orientation: number | undefined;
  let firstImageData = -1;
  let offset = 8;
  for (;;) {
    if (offset + 12 > input.length) throw bad('it ends before its IEND chunk');
    const length = input.readUInt32BE(offset);
    const type = input.toString('latin1', offset + 4, offset + 8);
    const end = offset + 12 + length;
    if (!/^[A-Za-z]{4}$/.test(type) || end > input.length)
      throw bad(`a chunk at byte ${offset} is malformed`);
    if (kept.length === 0 && type !== 'IHDR') throw bad('the first chunk is not IHDR');
    if (PNG_RENDERING_CHUNKS.has(type)) {
      if (type === 'IDAT' && firstImageData < 0) firstImageData = kept.length;
      kept.push(input.subarray(offset, end));
    } else if (type === 'eXIf') {
      orientation ??= readOrientation(input.subarray(offset + 8, offset + 8 + length));
    } else if (type.charCodeAt(0) < 0x61) {
      throw bad(`unknown critical chunk ${type}`); // a decoder could not render it either
    }
    offset = end;
    if (type === 'IEND') break; // anything after the image is dropped
  }
  if (firstImageData < 0) throw bad('it has no image data');
  if (orientation !== undefined) {
    kept.splice(firstImageData, 0, pngChunk('eXIf', orientationOnlyTiff(orientation))); // eXIf precedes IDAT
  }
  return Buffer.concat([PNG_SIGNATURE, ...kept]);
}

// ---- WebP --------------------------------------------------------------------------------------------------

const WEBP_RENDERING_CHUNKS = new Set(['VP8 ', 'VP8L', 'VP8X', 'ANIM', 'ANMF', 'ALPH', 'ICCP']);
const VP8X_EXIF_FLAG = 0x08;
const VP8X_XMP_FLAG = 0x04;

function riffChunk(fourCc: string, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.write(fourCc, 0, 'latin1');
  header.writeUInt32LE(payload.length, 4);
  return Buffer.concat([header, payload, payload.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

function stripWebp(input: Buffer): Buffer {
  const bad = (problem: string) => new UnreadableImageError('WebP', problem);
  if (
    input.length < 12 ||
    input.toString('latin1', 0, 4) !== 'RIFF' ||
    input.toString('latin1', 8, 12) !== 'WEBP'
  )
    throw bad('no RIFF WEBP header');
  const riffEnd = 8 + input.readUInt32LE(4);
  if (riffEnd > input.length) throw bad('it is shorter than its RIFF header says');
  const kept: Buffer[] = [];
  let orientation: number | undefined;
  let extendedHeader: Buffer | undefined;
  let offset = 12;
  while (offset < riffEnd) {
    if (offset + 8 > riffEnd) throw bad(`a chunk header at byte ${offset} is cut off`);
    const fourCc = input.toString('latin1', offset, offset + 4);
    const size = input.readUInt32LE(offset + 4);
    const end = offset + 8 + size + (size % 2);
    if (end > riffEnd && offset + 8 + size !== riffEnd) throw bad(`the ${fourCc} chunk runs past the file`);
    const payload = input.subarray(offset + 8, offset + 8 + size);
    if (fourCc === 'VP8X') {
      if (size < 10) throw bad('its VP8X chunk is too short');
      extendedHeader = Buffer.from(payload);
      const flags = extendedHeader[0] ?? 0;
      extendedHeader[0] = flags & ~VP8X_EXIF_FLAG & ~VP8X_XMP_FLAG;
      kept.push(riffChunk('VP8X', extendedHeader));
    } else if (fourCc === 'EXIF') {
      const tiff = startsWithText(payload, EXIF_HEADER.toString('latin1'))
        ? payload.subarray(EXIF_HEADER.length)
        : payload;
      orientation ??= readOrientation(tiff);
    } else if (WEBP_RENDERING_CHUNKS.has(fourCc)) {
      kept.push(riffChunk(fourCc, payload));
    }
    offset = end;
  }
  if (!kept.some((chunk) => ['VP8 ', 'VP8L', 'ANMF'].includes(chunk.toString('latin1', 0, 4))))
    throw bad('it has no image data');
  // EXIF needs the extended format (VP8X), and then goes after the image data.
  if (orientation !== undefined && extendedHeader) {
    extendedHeader[0] = (extendedHeader[0] ?? 0) | VP8X_EXIF_FLAG;
    kept[kept.findIndex((chunk) => chunk.toString('latin1', 0, 4) === 'VP8X')] = riffChunk(
      'VP8X',
      extendedHeader,
    );
    kept.push(riffChunk('EXIF', orientationOnlyTiff(orientation)));
  }
  const body = Buffer.concat(kept);
  const header = Buffer.alloc(12);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(4 + body.length, 4);
  header.write('WEBP', 8, 'latin1');
  return Buffer.concat([header, body]);
}

// ---- GIF ---------------------------------------------------------------------------------------------------

const GIF_KEPT_APPLICATIONS = new Set(['NETSCAPE2.0', 'ANIMEXTS1.0']); // loop count; XMP and others dropped

function stripGif(input: Buffer): Buffer {
  const bad = (problem: string) => new UnreadableImageError('GIF', problem);
  const version = input.toString('latin1', 0, 6);
  if (version !== 'GIF87a' && version !== 'GIF89a') throw bad('no GIF header');
  if (input.length < 13) throw bad('its screen descriptor is cut off');
  const colourTableSize = (packed: number) => (packed & 0x80 ? 3 * 2 ** ((packed & 0x07) + 1) : 0);
  /** The end of a run of data sub-blocks starting at `at` (after its zero-length terminator). */
  const subBlocksEnd = (at: number) => {
    let position = at;
    for (;;) {
      const size = input[position];
      if (size === undefined) throw bad('a data block is cut off');
      position += 1 + size;
      if (size === 0) return position;
    }
  };
  const headerEnd = 13 + colourTableSize(input[10] ?? 0);
  if (headerEnd > input.length) throw bad('its colour table is cut off');
  const kept: Buffer[] = [input.subarray(0, headerEnd)];
  let offset = headerEnd;
  let images = 0;
  for (;;) {
    const introducer = input[offset];
    if (introducer === 0x3b) break; // trailer; anything after it is dropped
    if (introducer === 0x2c) {
      const descriptorEnd = offset + 10;
      if (descriptorEnd > input.length) throw bad('an image descriptor is cut off');
      const dataStart = descriptorEnd + colourTableSize(input[offset + 9] ?? 0) + 1; // + LZW code size
      const end = subBlocksEnd(dataStart);
      kept.push(input.subarray(offset, end));
      images += 1;
      offset = end;
    } else if (introducer === 0x21) {
      const label = input[offset + 1];
      const end = subBlocksEnd(offset + 2);
      const application =
        label === 0xff && input[offset + 2] === 11 ? input.toString('latin1', offset + 3, offset + 14) : '';
      // Graphic control (timing, transparency) and plain text render; loop settings are kept; comments,
      // XMP and other application data are dropped.
      if (label === 0xf9 || label === 0x01 || GIF_KEPT_APPLICATIONS.has(application)) {
        kept.push(input.subarray(offset, end));
      }
      offset = end;
    } else {
      throw bad(introducer === undefined ? 'it ends before its trailer' : `unknown block at byte ${offset}`);
    }
  }
  if (images === 0) throw bad('it has no image');
  return Buffer.concat([...kept, Buffer.from([0x3b])]);
}
