#!/usr/bin/env node
/** The CDK app. `npx cdk synth` works offline; `npx cdk deploy` deploys to the account in your AWS profile. */
import { App, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseAllowedOrigins } from '../functions/shared/cors';
import { ChatStack } from '../lib/chat-stack';

const app = new App();
const stage = app.node.tryGetContext('stage') ?? 'dev';
const maxGroupMembers = app.node.tryGetContext('maxGroupMembers');
// `-c allowedOrigins=https://a.example,https://b.example` (or a list in cdk.json): more origins for CORS.
const allowedOrigins: unknown = app.node.tryGetContext('allowedOrigins');
const tokenKeyGeneration = app.node.tryGetContext('tokenKeyGeneration');

new ChatStack(app, `Chat-${stage}`, {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  tableRemovalPolicy: stage === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  maxGroupMembers: maxGroupMembers === undefined ? undefined : Number(maxGroupMembers),
  allowedOrigins: parseAllowedOrigins(
    Array.isArray(allowedOrigins) ? allowedOrigins.join(',') : (allowedOrigins as string),
  ),
  tokenKeyGeneration: tokenKeyGeneration === undefined ? undefined : Number(tokenKeyGeneration),
});

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
