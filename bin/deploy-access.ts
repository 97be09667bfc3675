#!/usr/bin/env node
/**
 * The deploy access stack (GitHub OIDC provider and deploy roles), deployed once per account:
 * `npm run deploy:access -- -c githubRepository=owner/name [-c githubOidcProviderArn=arn:...]`.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DeployAccessStack } from '../lib/deploy-access-stack';

const app = new App();
const repository = app.node.tryGetContext('githubRepository');
if (typeof repository !== 'string' || repository === '') {
  console.error('Give the GitHub repository: -c githubRepository=owner/name');
  process.exit(1);
}
new DeployAccessStack(app, 'ChatDeployAccess', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  description: 'Chat backend: GitHub Actions OIDC deploy roles',
  repository,
  environments: { staging: 'staging', production: 'prod' },
  existingProviderArn: app.node.tryGetContext('githubOidcProviderArn'),
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
