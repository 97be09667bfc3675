/**
 * What `npm run deploy:localstack` deploys: the same app (stage dev), and the resource types in it that
 * LocalStack's free edition does not have, which docs/operations.md must name.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildChatApp } from '../../lib/chat-app';
import { cdkSteps } from '../../scripts/cdk';

/** Services LocalStack offers only in its paid plans, as of this writing. */
const PAID_IN_LOCALSTACK = [/^AWS::ApiGatewayV2::/, /^AWS::CloudFront::/];

describe('the app npm run deploy:localstack deploys', () => {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'cdk-')),
    context: { 'aws:cdk:bundling-stacks': [], stage: 'dev' },
  });
  const { stacks } = buildChatApp(app);
  const types = new Set(
    stacks.flatMap((stack) =>
      Object.values(Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string }>).map(
        (resource) => resource.Type,
      ),
    ),
  );

  it('is the dev stage of the same app', () => {
    const deploy = cdkSteps(['deploy', '--localstack']).at(-1);
    expect(deploy?.args).toEqual(expect.arrayContaining(['-c', 'stage=dev']));
    expect(stacks.map((stack) => stack.stackName)).toEqual(['Chat-dev']);
  });

  it("names in docs/operations.md every resource family that LocalStack's free edition lacks", () => {
    const docs = readFileSync('docs/operations.md', 'utf8');
    const paid = [...types].filter((type) => PAID_IN_LOCALSTACK.some((pattern) => pattern.test(type)));
    expect(paid.length).toBeGreaterThan(0);
    for (const type of paid) expect(docs).toContain(`${type.split('::').slice(0, 2).join('::')}::*`);
  });

  it('keeps no AWS endpoint in function configuration, so LocalStack can point the SDK elsewhere', () => {
    const template = JSON.stringify(stacks.map((stack) => Template.fromStack(stack).toJSON()));
    expect(template).not.toMatch(/"(DYNAMODB|S3)_ENDPOINT"/);
  });
});
