/** Small real media files made in code, so tests need no binary fixtures in the repo. */
import { deflateSync } from 'node:zlib';

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A valid PNG of `size`×`size` pixels in one colour. */
export function pngImage(size = 2, rgb: [number, number, number] = [200, 30, 60]): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: size }, () => rgb).flat())]);
  const pixels = Buffer.concat(Array.from({ length: size }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(pixels)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function box(type: string, payload: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeUInt32BE(8 + payload.length);
  return Buffer.concat([size, Buffer.from(type, 'latin1'), payload]);
}

/** An ISO base media (MP4) file: `ftyp` (isom) and an `mdat` with `payloadBytes` of data. */
export function mp4Video(payloadBytes = 1024): Buffer {
  const ftyp = box(
    'ftyp',
    Buffer.concat([
      Buffer.from('isom', 'latin1'),
      Buffer.from([0, 0, 2, 0]),
      Buffer.from('isomiso2avc1mp41', 'latin1'),
    ]),
  );
  const mdat = box('mdat', Buffer.alloc(payloadBytes, 7));
  return Buffer.concat([ftyp, box('free', Buffer.alloc(0)), mdat]);
}

/** Markup pretending to be a video. */
export const htmlPretendingToBeVideo = () =>
  Buffer.from('<!doctype html><html><script>alert(1)</script></html>');

// ---- Images carrying metadata (for the metadata stripper) --------------------------------------------------

/** Text that stands for a home address in the GPS block of the fixtures: must never survive stripping. */
export const GPS_MARKER = 'GPS-HOME-38.7223N-9.1393W';
/** The GPS latitude of the fixtures as EXIF rationals (38/1, 43/1, 2028/100), big-endian. */
export const GPS_LATITUDE_BYTES = Buffer.from([
  0, 0, 0, 38, 0, 0, 0, 1, 0, 0, 0, 43, 0, 0, 0, 1, 0, 0, 0x07, 0xec, 0, 0, 0, 100,
]);

interface IfdEntry {
  tag: number;
  type: number;
  count: number;
  /** Four bytes inline, or a longer value stored after the IFD. */
  value: Buffer;
}

/**
 * A big-endian TIFF structure as EXIF carries it: IFD0 with Make, Orientation and a pointer to a GPS IFD
 * holding latitude (ref, rationals) and GPSAreaInformation with GPS_MARKER.
 */
export function exifWithGps(orientation = 6): Buffer {
  const ifd0: IfdEntry[] = [
    { tag: 0x010f, type: 2, count: 6, value: Buffer.from('Phone\0', 'latin1') }, // Make
    { tag: 0x0112, type: 3, count: 1, value: Buffer.from([0, orientation, 0, 0]) }, // Orientation
  ];
  const gps: IfdEntry[] = [
    { tag: 0x0001, type: 2, count: 2, value: Buffer.from('N\0\0\0', 'latin1') }, // GPSLatitudeRef
    { tag: 0x0002, type: 5, count: 3, value: GPS_LATITUDE_BYTES }, // GPSLatitude
    {
      tag: 0x001c, // GPSAreaInformation
      type: 7,
      count: 8 + GPS_MARKER.length,
      value: Buffer.from(`ASCII\0\0\0${GPS_MARKER}`, 'latin1'),
    },
  ];
  const ifdSize = (entries: IfdEntry[]) => 2 + entries.length * 12 + 4;
  const extraSize = (entries: IfdEntry[]) =>
    entries.reduce((sum, entry) => sum + (entry.value.length > 4 ? entry.value.length : 0), 0);
  const ifd0Offset = 8;
  const gpsOffset = ifd0Offset + ifdSize(ifd0) + 12 + extraSize(ifd0); // +12: the GPSInfo pointer entry
  const writeIfd = (entries: IfdEntry[], at: number, extra: IfdEntry[] = []) => {
    const all = [...entries, ...extra].sort((a, b) => a.tag - b.tag);
    const size = ifdSize(all);
    const out = Buffer.alloc(size + extraSize(all));
    out.writeUInt16BE(all.length, 0);
    let dataAt = size;
    all.forEach((entry, i) => {
      const base = 2 + i * 12;
      out.writeUInt16BE(entry.tag, base);
      out.writeUInt16BE(entry.type, base + 2);
      out.writeUInt32BE(entry.count, base + 4);
      if (entry.value.length <= 4) entry.value.copy(out, base + 8);
      else {
        out.writeUInt32BE(at + dataAt, base + 8);
        entry.value.copy(out, dataAt);
        dataAt += entry.value.length;
      }
    });
    return out;
  };
  const gpsPointer = Buffer.alloc(4);
  gpsPointer.writeUInt32BE(gpsOffset);
  const header = Buffer.from([0x4d, 0x4d, 0, 42, 0, 0, 0, 8]);
  return Buffer.concat([
    header,
    writeIfd(ifd0, ifd0Offset, [{ tag: 0x8825, type: 4, count: 1, value: gpsPointer }]),
    writeIfd(gps, gpsOffset),
  ]);
}

export const XMP_PACKET = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description exif:GPSLatitude="38,43.3N" photoshop:City="${GPS_MARKER}"/></rdf:RDF></x:xmpmeta>`;

function jpegSegment(marker: number, payload: Buffer): Buffer {
  const header = Buffer.from([0xff, marker, 0, 0]);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([header, payload]);
}

/**
 * A valid baseline JPEG of `width`×`height` (multiples of 8) in one grey level, with every metadata segment
 * a phone or editor writes: EXIF with GPS (APP1), XMP (APP1), an ICC profile (APP2), IPTC (APP13), a
 * comment, and data appended after the end of the image. Entropy coding uses two tiny Huffman tables: each
 * 8×8 block is its DC difference and an end-of-block.
 */
export function jpegWithMetadata({ width = 16, height = 8, grey = 200, orientation = 6 } = {}): Buffer {
  const quantisation = jpegSegment(0xdb, Buffer.concat([Buffer.from([0]), Buffer.alloc(64, 1)]));
  const frame = Buffer.from([8, 0, 0, 0, 0, 1, 1, 0x11, 0]);
  frame.writeUInt16BE(height, 1);
  frame.writeUInt16BE(width, 3);
  const dc = 8 * (grey - 128); // the DC coefficient of a flat block (quantiser 1)
  const category = dc === 0 ? 0 : Math.floor(Math.log2(Math.abs(dc))) + 1;
  const magnitude = dc >= 0 ? dc : dc + 2 ** category - 1; // JPEG's one's-complement form for negatives
  // DC table: category 0 -> '00', the first block's category -> '01'. AC table: end-of-block -> '0'.
  const dcTable = Buffer.from([0x00, 0, 2, ...Array(14).fill(0), 0, category]);
  const acTable = Buffer.from([0x10, 1, ...Array(15).fill(0), 0x00]);
  let bits = `01${category ? magnitude.toString(2).padStart(category, '0') : ''}0`;
  for (let block = 1; block < (width / 8) * (height / 8); block++) bits += '000';
  bits = bits.padEnd(Math.ceil(bits.length / 8) * 8, '1');
  const entropy: number[] = [];
  for (let i = 0; i < bits.length; i += 8) {
    const byte = Number.parseInt(bits.slice(i, i + 8), 2);
    entropy.push(byte);
    if (byte === 0xff) entropy.push(0); // byte stuffing
  }
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    jpegSegment(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), exifWithGps(orientation)])),
    jpegSegment(0xe0, Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1')),
    jpegSegment(0xe1, Buffer.from(`http://ns.adobe.com/xap/1.0/\0${XMP_PACKET}`, 'latin1')),
    jpegSegment(0xe2, Buffer.concat([Buffer.from('ICC_PROFILE\0\x01\x01', 'latin1'), Buffer.alloc(32, 9)])),
    jpegSegment(0xed, Buffer.from(`Photoshop 3.0\0 8BIM IPTC ${GPS_MARKER}`, 'latin1')),
    jpegSegment(0xfe, Buffer.from(`comment ${GPS_MARKER}`, 'latin1')),
    quantisation,
    jpegSegment(0xc0, frame),
    jpegSegment(0xc4, dcTable),
    jpegSegment(0xc4, acTable),
    jpegSegment(0xda, Buffer.from([1, 1, 0x00, 0, 63, 0])),
    Buffer.from(entropy),
    Buffer.from([0xff, 0xd9]),
    Buffer.from(`<html>${GPS_MARKER}</html>`, 'latin1'), // trailing data (a polyglot's second half)
  ]);
}

/** A PNG with GPS EXIF (eXIf), XMP (iTXt), text chunks and a timestamp, and data after IEND. */
export function pngWithMetadata(size = 3, orientation = 6): Buffer {
  const plain = pngImage(size);
  const signatureAndHeader = plain.subarray(0, 8 + 25); // signature + IHDR chunk
  const rest = plain.subarray(8 + 25);
  return Buffer.concat([
    signatureAndHeader,
    pngChunk('pHYs', Buffer.from([0, 0, 0x0b, 0x13, 0, 0, 0x0b, 0x13, 1])),
    pngChunk('eXIf', exifWithGps(orientation)),
    pngChunk('tEXt', Buffer.from(`Comment\0${GPS_MARKER}`, 'latin1')),
    pngChunk('iTXt', Buffer.from(`XML:com.adobe.xmp\0\0\0\0\0${XMP_PACKET}`, 'latin1')),
    pngChunk('tIME', Buffer.from([0x07, 0xea, 1, 2, 3, 4, 5])),
    rest,
    Buffer.from(GPS_MARKER, 'latin1'),
  ]);
}

function riffChunk(fourCc: string, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.write(fourCc, 0, 'latin1');
  header.writeUInt32LE(payload.length, 4);
  return Buffer.concat([header, payload, Buffer.alloc(payload.length % 2)]);
}

/**
 * A lossless (VP8L) WebP bitstream of one colour: with single-symbol prefix codes every pixel costs zero
 * bits, so the bitstream is just its header and five codes.
 */
function vp8lSolid(width: number, height: number, [r, g, b, a]: [number, number, number, number]): Buffer {
  const bits: number[] = [];
  const put = (value: number, count: number) => {
    for (let i = 0; i < count; i++) bits.push((value >> i) & 1);
  };
  put(width - 1, 14);
  put(height - 1, 14);
  put(1, 1); // alpha is used
  put(0, 3); // version
  put(0, 1); // no transform
  put(0, 1); // no colour cache
  put(0, 1); // no meta prefix codes
  for (const symbol of [g, r, b, a]) {
    put(1, 1); // simple code
    put(0, 1); // one symbol
    put(1, 1); // 8-bit symbol
    put(symbol, 8);
  }
  put(1, 1); // distance: simple code, one 1-bit symbol 0
  put(0, 1);
  put(0, 1);
  put(0, 1);
  const bytes = Buffer.alloc(Math.ceil(bits.length / 8));
  bits.forEach((bit, i) => {
    bytes[i >> 3] = (bytes[i >> 3] ?? 0) | (bit << (i & 7));
  });
  return Buffer.concat([Buffer.from([0x2f]), bytes]);
}

/** An extended-format WebP (VP8X) with an EXIF chunk holding GPS, an XMP chunk, and an unknown chunk. */
export function webpWithMetadata({ width = 4, height = 3, orientation = 6 } = {}): Buffer {
  const vp8x = Buffer.alloc(10);
  vp8x[0] = 0x10 | 0x08 | 0x04; // alpha, EXIF, XMP
  vp8x.writeUIntLE(width - 1, 4, 3);
  vp8x.writeUIntLE(height - 1, 7, 3);
  const body = Buffer.concat([
    riffChunk('VP8X', vp8x),
    riffChunk('VP8L', vp8lSolid(width, height, [10, 120, 230, 255])),
    riffChunk('EXIF', exifWithGps(orientation)),
    riffChunk('XMP ', Buffer.from(XMP_PACKET, 'latin1')),
    riffChunk('GPSx', Buffer.from(GPS_MARKER, 'latin1')),
  ]);
  const header = Buffer.alloc(12);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(4 + body.length, 4);
  header.write('WEBP', 8, 'latin1');
  return Buffer.concat([header, body]);
}

/** A 1×1 GIF89a with a loop setting (kept), a comment and XMP (dropped), and data after the trailer. */
export function gifWithMetadata(): Buffer {
  const subBlocks = (data: Buffer) => {
    const parts: Buffer[] = [];
    for (let i = 0; i < data.length; i += 255) {
      const piece = data.subarray(i, i + 255);
      parts.push(Buffer.from([piece.length]), piece);
    }
    return Buffer.concat([...parts, Buffer.from([0])]);
  };
  return Buffer.concat([
    Buffer.from('GIF89a', 'latin1'),
    Buffer.from([1, 0, 1, 0, 0x80, 0, 0]), // 1×1, global colour table of 2
    Buffer.from([0xff, 0xff, 0xff, 0, 0, 0]),
    Buffer.from([0x21, 0xff, 11]),
    Buffer.from('NETSCAPE2.0', 'latin1'),
    Buffer.from([3, 1, 0, 0, 0]),
    Buffer.from([0x21, 0xfe]),
    subBlocks(Buffer.from(`comment ${GPS_MARKER}`, 'latin1')),
    Buffer.from([0x21, 0xff, 11]),
    Buffer.from('XMP DataXMP', 'latin1'),
    subBlocks(Buffer.from(XMP_PACKET, 'latin1')),
    Buffer.from([0x21, 0xf9, 4, 0, 0, 0, 0, 0]), // graphic control
    Buffer.from([0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0]),
    Buffer.from([2, 2, 0x44, 0x01, 0]),
    Buffer.from([0x3b]),
    Buffer.from(GPS_MARKER, 'latin1'),
  ]);
}

// ---- Independent readers, to check a stripped image still parses --------------------------------------------

/** The dimensions an image declares, read from its header (SOF for JPEG, IHDR, VP8X/VP8L, the GIF screen). */
export function imageDimensions(bytes: Buffer): { width: number; height: number } {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    const frame = jpegSegments(bytes).find((segment) => segment.marker === 0xc0);
    if (!frame) throw new Error('no SOF0');
    return { height: frame.payload.readUInt16BE(1), width: frame.payload.readUInt16BE(3) };
  }
  if (bytes.subarray(1, 4).toString('latin1') === 'PNG')
    return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  if (bytes.subarray(8, 12).toString('latin1') === 'WEBP') {
    const chunks = riffChunks(bytes);
    const vp8x = chunks.find((chunk) => chunk.fourCc === 'VP8X');
    if (vp8x) return { width: vp8x.payload.readUIntLE(4, 3) + 1, height: vp8x.payload.readUIntLE(7, 3) + 1 };
    const vp8l = chunks.find((chunk) => chunk.fourCc === 'VP8L');
    if (!vp8l) throw new Error('no VP8L');
    const header = vp8l.payload.readUInt32LE(1);
    return { width: (header & 0x3fff) + 1, height: ((header >> 14) & 0x3fff) + 1 };
  }
  if (bytes.subarray(0, 3).toString('latin1') === 'GIF')
    return { width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) };
  throw new Error('not an image this reader knows');
}

/** JPEG segments up to the first scan: marker and payload. */
export function jpegSegments(bytes: Buffer): { marker: number; payload: Buffer }[] {
  const segments: { marker: number; payload: Buffer }[] = [];
  let offset = 2;
  while (offset + 4 <= bytes.length && bytes[offset] === 0xff) {
    const marker = bytes[offset + 1] ?? 0;
    const length = bytes.readUInt16BE(offset + 2);
    segments.push({ marker, payload: bytes.subarray(offset + 4, offset + 2 + length) });
    if (marker === 0xda) break;
    offset += 2 + length;
  }
  return segments;
}

/** PNG chunks up to IEND, with their CRC checked. */
export function pngChunks(bytes: Buffer): { type: string; data: Buffer; crcValid: boolean }[] {
  const chunks: { type: string; data: Buffer; crcValid: boolean }[] = [];
  let offset = 8;
  while (offset + 12 <= bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    const crcValid =
      bytes.readUInt32BE(offset + 8 + length) === crc32(bytes.subarray(offset + 4, offset + 8 + length));
    chunks.push({ type, data, crcValid });
    if (type === 'IEND') break; // what follows is not part of the image
    offset += 12 + length;
  }
  return chunks;
}

/** WebP RIFF chunks (the RIFF size must match the file). */
export function riffChunks(bytes: Buffer): { fourCc: string; payload: Buffer }[] {
  if (bytes.readUInt32LE(4) + 8 !== bytes.length) throw new Error('RIFF size does not match the file');
  const chunks: { fourCc: string; payload: Buffer }[] = [];
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const size = bytes.readUInt32LE(offset + 4);
    chunks.push({
      fourCc: bytes.toString('latin1', offset, offset + 4),
      payload: bytes.subarray(offset + 8, offset + 8 + size),
    });
    offset += 8 + size + (size % 2);
  }
  return chunks;
}

/** A PCM WAV of a quiet 440 Hz tone (mono, 8 kHz, 16-bit): plays in any browser. */
export function wavAudio(milliseconds = 500): Buffer {
  const sampleRate = 8000;
  const samples = Math.round((sampleRate * milliseconds) / 1000);
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) {
    data.writeInt16LE(Math.round(3000 * Math.sin((2 * Math.PI * 440 * i) / sampleRate)), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** A one-page PDF (enough structure for the leading-bytes check; not meant to render). */
export const pdfDocument = () =>
  Buffer.from(
    '%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n',
    'latin1',
  );

/** A zip archive with one stored (uncompressed) entry, the container of .zip, .docx, .xlsx and .pptx. */
export function zipArchive(name = 'word/document.xml', content = '<w:document/>'): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  const body = Buffer.from(content, 'utf8');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(10, 4); // version needed
  local.writeUInt32LE(body.length, 18);
  local.writeUInt32LE(body.length, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(10, 6);
  central.writeUInt32LE(body.length, 20);
  central.writeUInt32LE(body.length, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  const centralOffset = local.length + nameBytes.length + body.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + nameBytes.length, 12);
  end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, nameBytes, body, central, nameBytes, end]);
}
