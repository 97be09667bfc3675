/**
 * The GitHub Actions workflows and the dependency-update configuration, checked offline: each workflow
 * against GitHub's workflow schema (@action-validator/core, which ships the schema), then what the pipeline
 * must do: pull requests run .ci/run, main deploys staging, a version tag deploys prod behind the
 * `production` environment, through OIDC and never with stored keys.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const WORKFLOWS = '.github/workflows';
const files = readdirSync(WORKFLOWS).filter((name) => name.endsWith('.yml'));
const text = (name: string) => readFileSync(join(WORKFLOWS, name), 'utf8');
// Parsed YAML, checked field by field below.
const workflow = (name: string): any => parse(text(name));
/** A GitHub expression, `${{ body }}`, written so that no linter takes it for a misplaced template literal. */
const expression = (body: string) => `$\{{ ${body} }}`;

describe('GitHub Actions workflows', () => {
  it('are the four of the pipeline', () => {
    expect(files.sort()).toEqual(['checks.yml', 'deploy-prod.yml', 'deploy-staging.yml', 'deploy.yml']);
  });

  it.each(files)('%s is valid against the GitHub workflow schema', (name) => {
    expect(validateWorkflow(text(name)).errors).toEqual([]);
  });

  it('the schema check does catch a broken workflow', () => {
    const broken = 'on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    step: []\n';
    expect(validateWorkflow(broken).errors.length).toBeGreaterThan(0);
  });

  it('runs the same checks as CI (.ci/run) on pull requests, before every deploy too', () => {
    expect(Object.keys(workflow('checks.yml').on)).toEqual(['pull_request']);
    for (const name of ['checks.yml', 'deploy-staging.yml', 'deploy-prod.yml']) {
      const runs = workflow(name).jobs.checks.steps.map((step: { run?: string }) => step.run);
      expect(runs).toContain('bash .ci/run');
    }
    for (const name of ['deploy-staging.yml', 'deploy-prod.yml']) {
      expect(workflow(name).jobs.deploy.needs).toBe('checks');
    }
  });

  it('deploys staging from main and prod from a version tag, prod through the protected environment', () => {
    const staging = workflow('deploy-staging.yml');
    expect(staging.on.push).toEqual({ branches: ['main'] });
    expect(staging.jobs.deploy).toMatchObject({
      uses: './.github/workflows/deploy.yml',
      with: { stage: 'staging', environment: 'staging' },
    });
    const prod = workflow('deploy-prod.yml');
    expect(prod.on.push).toEqual({ tags: ['v*.*.*'] });
    expect(prod.jobs.deploy).toMatchObject({ with: { stage: 'prod', environment: 'production' } });
    expect(workflow('deploy.yml').jobs.deploy.environment.name).toBe(expression('inputs.environment'));
  });

  it('reaches AWS only through OIDC: an id token, an assumed role, never stored keys', () => {
    const deploy = workflow('deploy.yml');
    expect(deploy.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    const credentials = deploy.jobs.deploy.steps.find((step: { uses?: string }) =>
      step.uses?.startsWith('aws-actions/configure-aws-credentials@'),
    );
    expect(credentials.with['role-to-assume']).toBe(expression('vars.AWS_DEPLOY_ROLE_ARN'));
    for (const name of files) {
      expect(text(name)).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/);
    }
    expect(workflow('checks.yml').permissions).toEqual({ contents: 'read' });
  });

  it('deploys a stage one run at a time, never cancelling a deploy under way', () => {
    expect(workflow('deploy.yml').jobs.deploy.concurrency).toEqual({
      group: `deploy-${expression('inputs.stage')}`,
      'cancel-in-progress': false,
    });
  });
});

describe('dependency updates', () => {
  it('group AWS SDK updates together and CDK updates together', () => {
    const config = parse(readFileSync('.github/dependabot.yml', 'utf8'));
    const npm = config.updates.find(
      (update: { 'package-ecosystem': string }) => update['package-ecosystem'] === 'npm',
    );
    expect(npm.groups['aws-sdk'].patterns).toContain('@aws-sdk/*');
    expect(npm.groups['aws-cdk'].patterns).toEqual(
      expect.arrayContaining(['aws-cdk', 'aws-cdk-lib', 'constructs']),
    );
    expect(
      config.updates.some(
        (update: { 'package-ecosystem': string }) => update['package-ecosystem'] === 'github-actions',
      ),
    ).toBe(true);
  });
});
