import { describe, expect, it } from 'vitest';
import {
  MalformedJsonError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../functions/shared/errors';
import { MAX_BODY_BYTES, readJsonBody } from '../../functions/shared/http/request-body';
import { httpEvent } from '../support/events';

const route = 'POST /users';

/** Runs readJsonBody and returns what it throws. */
function thrownBy(event: ReturnType<typeof httpEvent>): unknown {
  try {
    readJsonBody(event);
  } catch (error) {
    return error;
  }
  throw new Error('readJsonBody accepted the body');
}

describe('readJsonBody', () => {
  it('parses a JSON body', () => {
    const event = httpEvent({ routeKey: route, body: { username: 'alice', nested: { n: 1 } } });

    expect(readJsonBody(event)).toEqual({ username: 'alice', nested: { n: 1 } });
  });

  it('accepts a content type with parameters and in another case', () => {
    const event = httpEvent({
      routeKey: route,
      body: { a: 1 },
      headers: { 'content-type': 'Application/JSON; charset=utf-8' },
    });

    expect(readJsonBody(event)).toEqual({ a: 1 });
  });

  it('accepts structured-syntax JSON media types such as application/merge-patch+json', () => {
    const event = httpEvent({
      routeKey: route,
      body: { a: 1 },
      headers: { 'content-type': 'application/merge-patch+json' },
    });

    expect(readJsonBody(event)).toEqual({ a: 1 });
  });

  it('decodes a base64-encoded body before parsing it', () => {
    const json = JSON.stringify({ displayName: 'Zoë 🙂' });
    const event = {
      ...httpEvent({ routeKey: route, rawBody: Buffer.from(json, 'utf8').toString('base64') }),
      isBase64Encoded: true,
    };

    expect(readJsonBody(event)).toEqual({ displayName: 'Zoë 🙂' });
  });

  it('rejects a text/plain body with a 415 naming the content-type header', () => {
    const event = httpEvent({ routeKey: route, body: { a: 1 }, headers: { 'content-type': 'text/plain' } });

    const error = thrownBy(event);

    expect(error).toBeInstanceOf(UnsupportedMediaTypeError);
    expect((error as UnsupportedMediaTypeError).status).toBe(415);
    expect((error as UnsupportedMediaTypeError).message).toContain('"text/plain"');
    expect((error as UnsupportedMediaTypeError).errors).toEqual([
      { field: '(header) content-type', message: 'must be application/json' },
    ]);
  });

  it('rejects a body without a content type with a 415', () => {
    const event = httpEvent({ routeKey: route, body: { a: 1 } });
    const { 'content-type': _dropped, ...headers } = event.headers;

    const error = thrownBy({ ...event, headers });

    expect(error).toBeInstanceOf(UnsupportedMediaTypeError);
    expect((error as UnsupportedMediaTypeError).message).toContain('not missing');
  });

  it('accepts a body of exactly the limit', () => {
    const padding = 'x'.repeat(MAX_BODY_BYTES - JSON.stringify({ p: '' }).length);
    const event = httpEvent({ routeKey: route, body: { p: padding } });

    expect(event.body?.length).toBe(MAX_BODY_BYTES);
    expect(readJsonBody(event)).toEqual({ p: padding });
  });

  it('rejects a body one byte over 64 KB with a 413', () => {
    const padding = 'x'.repeat(MAX_BODY_BYTES + 1 - JSON.stringify({ p: '' }).length);
    const event = httpEvent({ routeKey: route, body: { p: padding } });

    const error = thrownBy(event);

    expect(MAX_BODY_BYTES).toBe(64 * 1024);
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect((error as PayloadTooLargeError).status).toBe(413);
    expect((error as PayloadTooLargeError).errors?.[0]?.field).toBe('(body)');
  });

  it('counts bytes, not characters, against the limit', () => {
    // 30,000 three-byte characters: well under the limit in characters, over it in UTF-8 bytes.
    const event = httpEvent({ routeKey: route, body: { p: '€'.repeat(30_000) } });

    expect(event.body?.length).toBeLessThan(MAX_BODY_BYTES);
    expect(thrownBy(event)).toBeInstanceOf(PayloadTooLargeError);
  });

  it('checks the size before the content type, so a huge body of any type is a 413', () => {
    const event = httpEvent({
      routeKey: route,
      rawBody: 'x'.repeat(MAX_BODY_BYTES + 1),
      headers: { 'content-type': 'text/plain' },
    });

    expect(thrownBy(event)).toBeInstanceOf(PayloadTooLargeError);
  });

  it.each([
    ['a truncated object', '{"username": "alice", '],
    ['single quotes', "{'username': 'alice'}"],
    ['a trailing comma', '{"username": "alice",}'],
    ['plain text', 'username=alice'],
  ])('rejects malformed JSON (%s) with a 400 naming the body', (_name, rawBody) => {
    const error = thrownBy(httpEvent({ routeKey: route, rawBody }));

    expect(error).toBeInstanceOf(MalformedJsonError);
    expect((error as MalformedJsonError).status).toBe(400);
    expect((error as MalformedJsonError).errors).toEqual([
      { field: '(body)', message: 'must be valid JSON' },
    ]);
  });

  it('rejects a missing body with a 400 naming the body', () => {
    const error = thrownBy(httpEvent({ routeKey: route }));

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors).toEqual([{ field: '(body)', message: 'is required' }]);
  });

  it('rejects an empty body with a 400', () => {
    expect(thrownBy(httpEvent({ routeKey: route, rawBody: '' }))).toBeInstanceOf(ValidationError);
  });

  it('returns JSON that is not an object as it is, for the schema to reject', () => {
    expect(readJsonBody(httpEvent({ routeKey: route, rawBody: '[1,2]' }))).toEqual([1, 2]);
    expect(readJsonBody(httpEvent({ routeKey: route, rawBody: '"alice"' }))).toBe('alice');
  });
});
