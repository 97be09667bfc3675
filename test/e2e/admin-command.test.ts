/**
 * `npm run admin -- grant|revoke <username>` against the local stack this file runs (its DATA_DIR), as an
 * operator runs it beside `npm start`: a separate process that finds the stack through DATA_DIR only.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { signUpAndLogin, uniqueUsername, useApi } from '../support/api';
import { expectProblem } from '../support/problems';

const api = useApi();

interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the command with only what an operator's shell would have: PATH, HOME and DATA_DIR. */
function runAdmin(args: string[], dataDir = api.dataDir): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      join('node_modules', '.bin', 'tsx'),
      ['scripts/admin.ts', ...args],
      {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('npm run admin', () => {
  it('grants the role to a user of the running local stack, who then may use the admin routes', async () => {
    const user = await signUpAndLogin(api);
    expectProblem(await api.request('GET', '/admin/audit', { token: user.token }), 403);

    const granted = await runAdmin(['grant', user.username]);

    expect(granted).toMatchObject({ code: 0, stderr: '' });
    expect(granted.stdout).toContain(
      `${user.username} (${user.id}) is now an administrator on the local stack`,
    );
    expect((await api.request('GET', '/admin/audit', { token: user.token })).status).toBe(200);
  });

  it('revokes the role, and the same access token is refused at once', async () => {
    const user = await signUpAndLogin(api);
    await runAdmin(['grant', user.username]);

    const revoked = await runAdmin(['revoke', user.username.toUpperCase()]);

    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain('is now not an administrator');
    expectProblem(await api.request('GET', '/admin/audit', { token: user.token }), 403);
  });

  it('says so when the user already has the role, and changes nothing', async () => {
    const user = await signUpAndLogin(api);
    await runAdmin(['grant', user.username]);

    const again = await runAdmin(['grant', user.username]);

    expect(again.code).toBe(0);
    expect(again.stdout).toContain('is already an administrator');
  });

  it('fails with exit code 1 for a username nobody has', async () => {
    const result = await runAdmin(['grant', uniqueUsername('nobody')]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No user has the username');
  });

  it('fails with exit code 2 and the usage for a wrong command line', async () => {
    for (const args of [[], ['promote', 'someone'], ['grant'], ['grant', 'a', 'b']]) {
      const result = await runAdmin(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('Usage: npm run admin -- grant|revoke <username>');
    }
  });

  it('tells the operator to start the stack when none runs with that DATA_DIR', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'chat-admin-'));
    try {
      const result = await runAdmin(['grant', 'someone'], empty);

      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`No local stack is running with DATA_DIR=${empty}`);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
