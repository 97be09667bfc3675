#!/usr/bin/env node
/**
 * The CDK app. `npx cdk synth -c stage=<stage>` works offline; `npm run deploy -- --stage <stage>` deploys to
 * the account in your AWS profile. Stages and their settings: stages/*.json (README, "Deploying").
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildChatApp } from '../lib/chat-app';

const app = new App();
try {
  buildChatApp(app);
} catch (error) {
  // A stage without settings, or settings that are not valid: say which, without a stack trace.
  console.error((error as Error).message);
  process.exit(1);
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
