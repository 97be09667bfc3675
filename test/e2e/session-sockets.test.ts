/** Ending a session closes its WebSockets (through the table stream), and its access token opens no new one. */
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type SignedInUser, signUpAndLogin, useApi } from '../support/api';
import { connect, refusalStatus, type TestSocket } from '../support/ws';

const api = useApi();

/** Resolves with the close code once the server closes the socket; rejects if it stays open. */
function closedWithin(socket: TestSocket, timeoutMs = 15_000): Promise<number> {
  if (socket.socket.readyState === WebSocket.CLOSED) return Promise.resolve(1000);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the socket stayed open')), timeoutMs);
    socket.socket.once('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

async function secondSession(user: SignedInUser) {
  const response = await api.request('POST', '/login', {
    body: { username: user.username, password: user.password },
  });
  return { token: response.body.token as string, refreshToken: response.body.refreshToken as string };
}

describe("a session's WebSockets", () => {
  it('closes the sockets of a session ended with DELETE /sessions/{id}, and only those', async () => {
    const user = await signUpAndLogin(api);
    const laptop = await secondSession(user);
    const phoneSocket = await connect(api.wsUrl, user.token);
    const laptopSocket = await connect(api.wsUrl, laptop.token);

    const ended = await api.request('DELETE', `/sessions/${decodeJwt(laptop.token).sid}`, {
      token: user.token,
    });
    await api.drainStreams();

    expect(ended.status).toBe(204);
    await closedWithin(laptopSocket);
    expect(phoneSocket.socket.readyState).toBe(WebSocket.OPEN);
    await phoneSocket.close();
  });

  it('closes every socket of the user on POST /logout/all', async () => {
    const user = await signUpAndLogin(api);
    const laptop = await secondSession(user);
    const sockets = await Promise.all([connect(api.wsUrl, user.token), connect(api.wsUrl, laptop.token)]);

    await api.request('POST', '/logout/all', { token: user.token });
    await api.drainStreams();

    await Promise.all(sockets.map((socket) => closedWithin(socket)));
  });

  it("closes every socket of the user on a password change, the caller's too, while the caller's session goes on", async () => {
    const user = await signUpAndLogin(api);
    const laptop = await secondSession(user);
    const sockets = await Promise.all([connect(api.wsUrl, user.token), connect(api.wsUrl, laptop.token)]);

    const changed = await api.request('POST', '/users/me/password', {
      token: user.token,
      body: { currentPassword: user.password, newPassword: 'a brand new password' },
    });
    await api.drainStreams();

    expect(changed.status).toBe(204);
    await Promise.all(sockets.map((socket) => closedWithin(socket)));
    // The caller's session was not ended: its token opens a socket again and its refresh token still works.
    const again = await connect(api.wsUrl, user.token);
    expect(again.socket.readyState).toBe(WebSocket.OPEN);
    await again.close();
    expect(
      (await api.request('POST', '/token/refresh', { body: { refreshToken: user.refreshToken } })).status,
    ).toBe(200);
    expect(await refusalStatus(`${api.wsUrl}/?token=${encodeURIComponent(laptop.token)}`)).toBe(401);
  });

  it("closes a session's sockets when a reused refresh token ends it", async () => {
    const user = await signUpAndLogin(api);
    const socket = await connect(api.wsUrl, user.token);
    await api.request('POST', '/token/refresh', { body: { refreshToken: user.refreshToken } });

    const replay = await api.request('POST', '/token/refresh', { body: { refreshToken: user.refreshToken } });
    await api.drainStreams();

    expect(replay.status).toBe(401);
    await closedWithin(socket);
  });

  it('refuses a new socket (401) for an access token whose session has ended, while other sessions connect', async () => {
    const user = await signUpAndLogin(api);
    const laptop = await secondSession(user);
    await api.request('POST', '/logout', { body: { refreshToken: user.refreshToken } });

    const status = await refusalStatus(`${api.wsUrl}/?token=${encodeURIComponent(user.token)}`);
    const other = await connect(api.wsUrl, laptop.token);

    expect(status).toBe(401);
    await other.close();
  });
});
