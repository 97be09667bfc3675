import { describe, expect, it } from 'vitest';
import { cdkSteps } from '../../scripts/cdk';

describe('npm run deploy / diff / deploy:localstack', () => {
  it('deploys every stack of the stage with the stage as context', () => {
    expect(cdkSteps(['deploy', '--stage', 'prod'])).toEqual([
      { bin: 'cdk', args: ['deploy', '--all', '-c', 'stage=prod'] },
    ]);
  });

  it('diffs the dev stage when no stage is given, and passes other arguments to the CDK CLI', () => {
    expect(cdkSteps(['diff', '-c', 'alarmEmail=ops@example.com', '--context-lines', '5'])).toEqual([
      {
        bin: 'cdk',
        args: ['diff', '-c', 'stage=dev', '-c', 'alarmEmail=ops@example.com', '--context-lines', '5'],
      },
    ]);
    expect(cdkSteps(['deploy', '--stage=staging', '--', '--require-approval', 'never'])).toEqual([
      { bin: 'cdk', args: ['deploy', '--all', '-c', 'stage=staging', '--require-approval', 'never'] },
    ]);
  });

  it('bootstraps LocalStack, then deploys the same app there through aws-cdk-local without approval prompts', () => {
    expect(cdkSteps(['deploy', '--localstack'])).toEqual([
      { bin: 'cdklocal', args: ['bootstrap', '-c', 'stage=dev'] },
      { bin: 'cdklocal', args: ['deploy', '--all', '-c', 'stage=dev', '--require-approval', 'never'] },
    ]);
  });

  it('refuses an unknown command or a stage name that could smuggle arguments', () => {
    expect(() => cdkSteps(['bootstrap'])).toThrow(/Usage/);
    expect(() => cdkSteps(['deploy', '--stage', '--all'])).toThrow(/not a stage name/);
    expect(() => cdkSteps(['deploy', '--stage'])).toThrow(/not a stage name/);
    expect(() => cdkSteps(['deploy', '--stage', 'Prod;rm'])).toThrow(/not a stage name/);
  });
});
