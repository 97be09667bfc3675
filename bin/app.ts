#!/usr/bin/env node
/** The CDK app. `npx cdk synth` works offline; `npx cdk deploy` deploys to the account in your AWS profile. */
import { App, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ChatStack } from '../lib/chat-stack';

const app = new App();
const stage = app.node.tryGetContext('stage') ?? 'dev';
const maxGroupMembers = app.node.tryGetContext('maxGroupMembers');

new ChatStack(app, `Chat-${stage}`, {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  tableRemovalPolicy: stage === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  maxGroupMembers: maxGroupMembers === undefined ? undefined : Number(maxGroupMembers),
});

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
