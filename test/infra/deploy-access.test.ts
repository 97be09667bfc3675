/** The pipeline's way into AWS (lib/deploy-access-stack.ts): GitHub OIDC, one narrow role per environment. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { DeployAccessStack, GITHUB_OIDC_URL } from '../../lib/deploy-access-stack';

function synthesize(existingProviderArn?: string) {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'cdk-')) });
  const stack = new DeployAccessStack(app, 'Access', {
    repository: 'acme/chat',
    environments: { staging: 'staging', production: 'prod' },
    existingProviderArn,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
  return Template.fromStack(stack);
}

describe('the deploy access stack', () => {
  const template = synthesize();
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: any }>;
  const roles = Object.values(resources).filter((resource) => resource.Type === 'AWS::IAM::Role');

  it("registers GitHub's OIDC provider for STS", () => {
    template.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: GITHUB_OIDC_URL,
      ClientIdList: ['sts.amazonaws.com'],
    });
  });

  it('lets only jobs of that repository in that GitHub environment assume each role, for an hour', () => {
    expect(roles.map((role) => role.Properties.RoleName).sort()).toEqual([
      'chat-deploy-prod',
      'chat-deploy-staging',
    ]);
    const prod = roles.find((role) => role.Properties.RoleName === 'chat-deploy-prod');
    expect(prod?.Properties.MaxSessionDuration).toBe(3600);
    expect(prod?.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
            'token.actions.githubusercontent.com:sub': 'repo:acme/chat:environment:production',
          },
        },
      }),
    ]);
  });

  it('allows nothing but assuming the CDK bootstrap roles', () => {
    const statements = Object.values(resources)
      .filter((resource) => resource.Type === 'AWS::IAM::Policy')
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    expect(statements.length).toBe(2);
    for (const statement of statements) {
      expect(statement.Action).toEqual(['sts:AssumeRole', 'sts:TagSession']);
      for (const resource of statement.Resource) {
        expect(JSON.stringify(resource)).toMatch(
          /:role\/cdk-hnb659fds-(deploy|file-publishing|image-publishing|lookup)-role-/,
        );
      }
    }
  });

  it('uses an existing provider instead of creating a second one when given its ARN', () => {
    const arn = 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com';
    const reused = synthesize(arn);
    expect(
      Object.values(reused.toJSON().Resources).some((r: any) => r.Type === 'AWS::IAM::OIDCProvider'),
    ).toBe(false);
    expect(JSON.stringify(reused.toJSON())).toContain(arn);
  });

  it('refuses a repository that is not owner/name', () => {
    expect(
      () =>
        new DeployAccessStack(new App(), 'Bad', { repository: 'acme', environments: { staging: 'staging' } }),
    ).toThrow(/owner\/name/);
  });
});
