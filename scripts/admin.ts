/**
 * `npm run admin -- grant <username>` / `revoke <username>`: gives or takes the application role `admin`.
 * Never an HTTP endpoint: it writes the table directly, through the same data-access code as the API, with
 * the credentials of whoever runs it, and each change is in the audit log (actor `command-line`).
 *
 * Locally it acts on the stack `npm start` runs with the same DATA_DIR (default .data), while it runs: the
 * stack's runtime file there says where its DynamoDB Local is and which table. With `--stage <stage>`
 * [`--region <region>`] it acts on a deployed stage with the deployer's AWS credentials (the default
 * credential chain): the table is the stack's `TableName` output; writes go to the stage's home region.
 */
import { parseArgs } from 'node:util';

const USAGE =
  'Usage: npm run admin -- grant|revoke <username> [--stage <stage> [--region <region>]]\n' +
  '  Without --stage: the local stack of DATA_DIR (default .data), which must be running (npm start).';

export class UsageError extends Error {}

async function localEnvironment(): Promise<Record<string, string>> {
  const { readRuntimeFile } = await import('../local/stack');
  const dataDir = process.env.DATA_DIR ?? '.data';
  const runtime = await readRuntimeFile(dataDir);
  if (!runtime) {
    throw new Error(
      `No local stack is running with DATA_DIR=${dataDir}. Start it (npm start, with the same DATA_DIR), then run this again.`,
    );
  }
  const { TABLE_NAME, DYNAMODB_ENDPOINT, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY } =
    runtime.environment;
  if (!TABLE_NAME || !DYNAMODB_ENDPOINT) throw new Error(`The local stack of ${dataDir} names no table.`);
  return {
    TABLE_NAME,
    DYNAMODB_ENDPOINT,
    // The emulator's own credentials (local/stack.ts): real AWS credentials are never sent to it.
    ...(AWS_REGION ? { AWS_REGION } : {}),
    ...(AWS_ACCESS_KEY_ID ? { AWS_ACCESS_KEY_ID } : {}),
    ...(AWS_SECRET_ACCESS_KEY ? { AWS_SECRET_ACCESS_KEY } : {}),
  };
}

async function stageEnvironment(stage: string, regionOption?: string): Promise<Record<string, string>> {
  const { stackNameFor } = await import('../lib/chat-app');
  const { loadStageSettings } = await import('../lib/stages');
  const [homeRegion] = loadStageSettings(stage).regions;
  const region = regionOption ?? homeRegion ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new UsageError('Give the region: --region <region> (or set AWS_REGION).');
  const stackName = stackNameFor(stage, region, homeRegion);
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const client = new CloudFormationClient({ region });
  try {
    const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const tableName = Stacks?.[0]?.Outputs?.find((output) => output.OutputKey === 'TableName')?.OutputValue;
    if (!tableName) throw new Error(`Stack ${stackName} in ${region} has no TableName output.`);
    // The role is decided in the home region (docs/global.md); a one-region stage is its own home.
    return { TABLE_NAME: tableName, AWS_REGION: region, ...(homeRegion ? { HOME_REGION: homeRegion } : {}) };
  } finally {
    client.destroy();
  }
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { stage: { type: 'string' }, region: { type: 'string' } },
  });
  const [command, username, ...rest] = positionals;
  if ((command !== 'grant' && command !== 'revoke') || !username || rest.length > 0) {
    throw new UsageError(USAGE);
  }
  const environment =
    values.stage && values.stage !== 'local'
      ? await stageEnvironment(values.stage, values.region)
      : await localEnvironment();
  // The data-access modules read their configuration when first imported: set it before.
  Object.assign(process.env, environment);
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const { changeRole } = await import('../functions/shared/domain/admin');
  const { userId, changed } = await changeRole(username, command === 'grant' ? 'admin' : null);
  const where = values.stage && values.stage !== 'local' ? `stage ${values.stage}` : 'the local stack';
  const state = command === 'grant' ? 'an administrator' : 'not an administrator';
  console.log(`${username} (${userId}) is ${changed ? 'now' : 'already'} ${state} on ${where}.`);
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
