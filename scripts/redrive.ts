/**
 * `npm run redrive -- --stage <stage> [--region <region>] [--dry-run]` replays a deployed stage's dead letters
 * (one region's queue per run);
 * `npm run redrive -- --local` (or `--stage local`) replays the local stack's (DATA_DIR, default .data).
 * The procedure: docs/operations.md, "Dead letters".
 */
import { parseArgs } from 'node:util';
import type { RedriveOutcome } from './dead-letter-replay';

const { values } = parseArgs({
  options: {
    stage: { type: 'string' },
    region: { type: 'string' },
    local: { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
  },
});

function summary(outcomes: RedriveOutcome[]): number {
  const count = (result: RedriveOutcome['result']) => outcomes.filter((o) => o.result === result).length;
  console.log(
    `${count('replayed')} replayed, ${count('failed')} kept (failed again), ${count('listed')} listed`,
  );
  return count('failed') > 0 ? 1 : 0;
}

const log = (line: string) => console.log(line);
try {
  if (values.local || values.stage === 'local') {
    const { redriveLocal } = await import('../local/redrive');
    const dataDir = process.env.DATA_DIR ?? '.data';
    process.exitCode = summary(await redriveLocal({ dataDir, dryRun: values['dry-run'], log }));
  } else if (values.stage) {
    const { redriveStage } = await import('./redrive-aws');
    const { stackNameFor } = await import('../lib/chat-app');
    const { loadStageSettings } = await import('../lib/stages');
    const [homeRegion] = loadStageSettings(values.stage).regions;
    const region = values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? homeRegion;
    if (!region) throw new Error('Give the region: --region <region> (or set AWS_REGION).');
    // Each region of a stage has its own queue (docs/global.md): one region per run.
    const stackName = stackNameFor(values.stage, region, homeRegion);
    process.exitCode = summary(await redriveStage({ stackName, region, dryRun: values['dry-run'], log }));
  } else {
    console.error('Usage: npm run redrive -- --stage <stage> [--region <region>] [--dry-run] | --local');
    process.exitCode = 2;
  }
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
}
