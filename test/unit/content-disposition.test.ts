import { describe, expect, it } from 'vitest';
import {
  attachmentDisposition,
  contentDispositionFor,
  MAX_FILE_NAME_BYTES,
  safeFileName,
} from '../../functions/shared/media/content-disposition';

/** What a browser takes from `filename*` (RFC 8187), decoded. */
const decodedFilenameStar = (header: string) => {
  const match = /filename\*=UTF-8''([^;\s]+)$/.exec(header);
  if (!match?.[1]) throw new Error(`no filename* in ${header}`);
  return decodeURIComponent(match[1]);
};
const quotedFilename = (header: string) => /filename="([^"]*)"/.exec(header)?.[1];
const PRINTABLE_ASCII = /^[\x20-\x7E]+$/;

describe('Content-Disposition of served files', () => {
  it('is inline for the images and videos browsers show, whatever the file name', () => {
    expect(contentDispositionFor('image/png', 'evil".png')).toBe('inline');
    expect(contentDispositionFor('video/mp4', null)).toBe('inline');
  });

  it('is an attachment with the file name for any other type (PDF, zip, Office, audio)', () => {
    const header = contentDispositionFor('application/pdf', 'Quarterly report.pdf');
    expect(header).toBe(
      `attachment; filename="Quarterly report.pdf"; filename*=UTF-8''Quarterly%20report.pdf`,
    );
  });
});

describe('attachment file names from hostile uploaders', () => {
  it.each([
    ['quotes and backslashes', 'a"b\\c".pdf', 'c".pdf'],
    [
      'CR/LF (header injection)',
      'report.pdf\r\nSet-Cookie: session=stolen',
      'report.pdfSet-Cookie: session=stolen',
    ],
    ['a path', '../../etc/passwd', 'passwd'],
    ['a Windows path', 'C:\\Users\\me\\secret.docx', 'secret.docx'],
    ['a trailing slash', 'folder/name.zip/', 'name.zip'],
    ['a hidden-file name', '...htaccess', 'htaccess'],
    ['a bidi override that fakes the extension', 'invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['NUL and other controls', 'a\u0000b\u0007c\u009b.txt', 'abc.txt'],
    ['a lone surrogate', 'x\uD800y.txt', 'xy.txt'],
    ['only dots and spaces', ' . .. ', 'file'],
    ['nothing', '', 'file'],
  ])('makes %s safe', (_case, name, expected) => {
    expect(safeFileName(name)).toBe(expected);
    const header = attachmentDisposition(name);
    expect(header).toMatch(PRINTABLE_ASCII);
    expect(header.startsWith('attachment; ')).toBe(true);
    expect(decodedFilenameStar(header)).toBe(expected);
    expect(quotedFilename(header)).not.toMatch(/["\\%]/);
  });

  it('keeps non-ASCII names (NFC) in filename* and gives older browsers an ASCII stand-in', () => {
    const header = attachmentDisposition('Re\u0301sume\u0301 – 北京 🎉.pdf');
    expect(header).toMatch(PRINTABLE_ASCII);
    expect(decodedFilenameStar(header)).toBe('Résumé – 北京 🎉.pdf');
    expect(quotedFilename(header)).toBe('R_sum_ _ __ _.pdf');
  });

  it("percent-encodes what RFC 8187 forbids unescaped, including ' ( ) * and %", () => {
    const header = attachmentDisposition("it's (50%)*.txt");
    expect(header.endsWith(`filename*=UTF-8''it%27s%20%2850%25%29%2A.txt`)).toBe(true);
  });

  it('shortens very long names to a bounded header, keeping the extension and whole characters', () => {
    for (const stem of ['a'.repeat(5000), '北'.repeat(5000), '🎉'.repeat(5000)]) {
      const name = safeFileName(`${stem}.jpeg`);
      expect(Buffer.byteLength(name, 'utf8')).toBeLessThanOrEqual(MAX_FILE_NAME_BYTES);
      expect(name.endsWith('.jpeg')).toBe(true);
      expect(Buffer.from(name, 'utf8').toString('utf8')).toBe(name); // no character cut in half
      expect(attachmentDisposition(`${stem}.jpeg`).length).toBeLessThan(1000);
    }
  });
});
