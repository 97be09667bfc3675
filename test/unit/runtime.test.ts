/** The development runtime is the one Lambda runs: npm scripts put the `node@22` devDependency first on PATH. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('the runtime of tests and npm scripts', () => {
  it('is Node 22, the Lambda runtime, even where the machine has another Node', () => {
    expect(process.versions.node.split('.')[0]).toBe('22');
  });

  it('is what `node` on the PATH of npm scripts resolves to', () => {
    const version = execFileSync('node', ['--version'], { encoding: 'utf8' }).trim();
    expect(version).toMatch(/^v22\./);
  });
});
