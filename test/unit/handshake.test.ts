import { describe, expect, it } from 'vitest';
import { UnauthorizedError } from '../../functions/shared/errors';
import { handshakeOf } from '../../functions/shared/ws/handshake';

describe('where a WebSocket client puts its token', () => {
  it('reads ?token= and selects no subprotocol', () => {
    expect(handshakeOf({ Host: 'x' }, { token: 'abc.def.ghi' })).toEqual({
      token: 'abc.def.ghi',
      subprotocol: undefined,
    });
  });

  it('reads the token after the "bearer" subprotocol, whatever the header name case, and selects "bearer"', () => {
    const handshake = handshakeOf({ 'Sec-WebSocket-Protocol': 'bearer, abc.def.ghi' }, undefined);

    expect(handshake).toEqual({ token: 'abc.def.ghi', subprotocol: 'bearer' });
    expect(handshakeOf({ 'sec-websocket-protocol': 'chat, bearer,abc.def.ghi' }, {}).token).toBe(
      'abc.def.ghi',
    );
  });

  it('accepts the same token in both places', () => {
    expect(handshakeOf({ 'Sec-WebSocket-Protocol': 'bearer, t' }, { token: 't' })).toEqual({
      token: 't',
      subprotocol: 'bearer',
    });
  });

  it('refuses two different tokens, and no token at all', () => {
    expect(() => handshakeOf({ 'Sec-WebSocket-Protocol': 'bearer, one' }, { token: 'two' })).toThrow(
      UnauthorizedError,
    );
    expect(() => handshakeOf({}, {})).toThrow(UnauthorizedError);
    expect(() => handshakeOf({ 'Sec-WebSocket-Protocol': 'bearer' }, { token: '  ' })).toThrow(
      UnauthorizedError,
    );
    expect(() => handshakeOf(undefined, undefined)).toThrow(UnauthorizedError);
  });
});
