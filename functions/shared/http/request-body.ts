/** Turns the raw API Gateway body into a JSON value, enforcing content type and size before parsing. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import {
  MalformedJsonError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../errors';

export const MAX_BODY_BYTES = 64 * 1024;

export function readJsonBody(event: APIGatewayProxyEventV2): unknown {
  const raw = event.body;
  if (raw === undefined || raw === null || raw === '') {
    throw new ValidationError('A JSON request body is required.', [
      { field: '(body)', message: 'is required' },
    ]);
  }
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.byteLength > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(
      `The request body is ${bytes.byteLength} bytes; the limit is ${MAX_BODY_BYTES}.`,
      [{ field: '(body)', message: `must be at most ${MAX_BODY_BYTES} bytes` }],
    );
  }
  const contentType = event.headers['content-type'] ?? '';
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType !== 'application/json' && !/^application\/[a-z0-9.+-]+\+json$/.test(mediaType)) {
    throw new UnsupportedMediaTypeError(
      `Content-Type must be application/json, not ${contentType === '' ? 'missing' : `"${contentType}"`}.`,
      [{ field: '(header) content-type', message: 'must be application/json' }],
    );
  }
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new MalformedJsonError(`The request body could not be parsed: ${(error as Error).message}`, [
      { field: '(body)', message: 'must be valid JSON' },
    ]);
  }
}
