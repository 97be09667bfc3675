/**
 * `npm run deploy -- --stage <stage>`, `npm run diff -- --stage <stage>`, `npm run deploy:localstack`: the CDK
 * CLI for every stack of a stage (all of its regions), with the stage as context. Other arguments go to the
 * CDK CLI unchanged (e.g. `npm run deploy -- --stage prod -c alarmEmail=oncall@example.com`).
 */
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

export interface CdkStep {
  /** The CLI to run: `cdk`, or `cdklocal` (aws-cdk-local: the same CLI pointed at LocalStack). */
  bin: 'cdk' | 'cdklocal';
  args: string[];
}

const COMMANDS = ['deploy', 'diff', 'synth', 'destroy'] as const;
type Command = (typeof COMMANDS)[number];

/**
 * What to run for `<command> [--stage s] [--localstack] [other CDK arguments]`: `--stage` and `--localstack`
 * are ours, everything else (`-c alarmEmail=...`, `--require-approval never`) goes to the CDK CLI.
 */
export function cdkSteps(argv: string[]): CdkStep[] {
  const [command, ...rest] = argv;
  if (!COMMANDS.includes(command as Command)) {
    throw new Error(`Usage: ${COMMANDS.join('|')} [--stage <stage>] [--localstack] [<cdk arguments>]`);
  }
  let stage = 'dev';
  let localstack = false;
  const passThrough: string[] = [];
  for (let index = 0; index < rest.length; index++) {
    const argument = rest[index] as string;
    if (argument === '--stage') stage = rest[++index] ?? '';
    else if (argument.startsWith('--stage=')) stage = argument.slice('--stage='.length);
    else if (argument === '--localstack') localstack = true;
    else if (argument !== '--') passThrough.push(argument);
  }
  if (!/^[a-z][a-z0-9-]*$/.test(stage)) throw new Error(`"${stage}" is not a stage name`);
  const context = ['-c', `stage=${stage}`];
  // Every stack of the stage (one per region): deploy and destroy need --all; synth and diff do all anyway.
  const all = command === 'deploy' || command === 'destroy' ? ['--all'] : [];
  if (localstack) {
    // LocalStack starts empty: bootstrap it first (idempotent), and nobody is there to approve changes.
    return [
      { bin: 'cdklocal', args: ['bootstrap', ...context] },
      {
        bin: 'cdklocal',
        args: [
          command as string,
          ...all,
          ...context,
          ...(command === 'deploy' ? ['--require-approval', 'never'] : []),
          ...passThrough,
        ],
      },
    ];
  }
  return [{ bin: 'cdk', args: [command as string, ...all, ...context, ...passThrough] }];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    for (const step of cdkSteps(process.argv.slice(2))) {
      console.log(`> ${step.bin} ${step.args.join(' ')}`);
      const result = spawnSync('npx', ['--no-install', step.bin, ...step.args], { stdio: 'inherit' });
      if (result.status !== 0) process.exit(result.status ?? 1);
    }
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
}
