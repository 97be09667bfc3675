/**
 * The few steps most conversation e2e tests start with (users, a group of contacts, a text message, a call
 * that must succeed), bound to one file's `useApi()` so each test reads as its scenario, not its setup.
 */
import { makeContacts, type SignedInUser, signUpAndLogin, type TestApi } from './api';

/** A tuple of exactly N users, so destructured users are never possibly undefined. */
export type Users<N extends number, T extends SignedInUser[] = []> = T['length'] extends N
  ? T
  : Users<N, [...T, SignedInUser]>;

export function conversationHelpers(api: TestApi) {
  /** N new signed-in users. */
  const users = <N extends number>(count: N) =>
    Promise.all(Array.from({ length: count }, () => signUpAndLogin(api))) as Promise<Users<N>>;

  /** A request that must succeed: its JSON body, or an error naming the call and its answer. */
  async function call(user: SignedInUser, method: string, path: string, body?: unknown) {
    const response = await api.request(method, path, { token: user.token, body });
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${response.text}`);
    return response.body;
  }

  /** A group of the owner's contacts (only people one shares a conversation with can be added: issue 8). */
  async function group(owner: SignedInUser, members: SignedInUser[], name = 'Group'): Promise<string> {
    await makeContacts(api, owner, ...members);
    const created = await call(owner, 'POST', '/conversations', {
      type: 'group',
      name,
      memberIds: members.map((member) => member.id),
    });
    return created.id;
  }

  /** Sends a text message and returns its id. */
  async function send(user: SignedInUser, conversationId: string, text = 'hello'): Promise<string> {
    const path = `/conversations/${conversationId}/messages`;
    return (await call(user, 'POST', path, { content: { type: 'text', text } })).id;
  }

  return { users, call, group, send };
}
