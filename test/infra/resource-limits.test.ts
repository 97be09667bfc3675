/**
 * CloudFormation takes at most 500 resources in one template. Every route adds about seven (function, role,
 * policy, log group, integration, route, permission) and two alarms; the alarms and the dashboard are in a
 * nested stack of their own (lib/chat-stack.ts). This keeps every template of every stage shape under the
 * limit with room for a few more routes, so a feature that would break `cdk deploy` fails here first.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildChatApp } from '../../lib/chat-app';
import { nestedStacksOf } from '../support/templates';

const CLOUDFORMATION_LIMIT = 500;
/** Room for about five more routes before a template has to be split again. */
const HEADROOM = 45;

function templates(context: Record<string, unknown>) {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'cdk-')),
    context: { 'aws:cdk:bundling-stacks': [], ...context },
  });
  process.env.CDK_DEFAULT_ACCOUNT ??= '123456789012';
  const { stacks } = buildChatApp(app);
  return stacks.flatMap((stack: Stack) => [stack, ...nestedStacksOf(stack)]);
}

const resourceCount = (stack: Stack) =>
  Object.keys(Template.fromStack(stack).toJSON().Resources ?? {}).length;

describe('CloudFormation resource limits', () => {
  it.each([
    ['dev, one region', { stage: 'dev' }],
    ['prod with an alarm email', { stage: 'prod', alarmEmail: 'oncall@example.com' }],
    ['three regions', { stage: 'prod', regions: 'us-east-1,eu-west-1,ap-southeast-1' }],
  ])('keeps every template of %s under 500 resources, with room to grow', (_, context) => {
    for (const stack of templates(context)) {
      expect(resourceCount(stack), stack.node.path).toBeLessThanOrEqual(CLOUDFORMATION_LIMIT - HEADROOM);
    }
  });
});
