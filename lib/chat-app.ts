/**
 * The whole app for one stage: its settings (stages/<stage>.json and context overrides), then its stack.
 * bin/app.ts calls this; the infra tests call it with their own context.
 */
import type { App } from 'aws-cdk-lib';
import { ChatStack } from './chat-stack';
import { loadStageSettings, type StageSettings } from './stages';

export interface ChatApp {
  settings: StageSettings;
  stacks: ChatStack[];
}

export const stackNameFor = (stage: string) => `Chat-${stage}`;

export function buildChatApp(app: App): ChatApp {
  const stage = String(app.node.tryGetContext('stage') ?? 'dev');
  const settings = loadStageSettings(stage, (key) => app.node.tryGetContext(key));
  const env = {
    account: settings.account ?? process.env.CDK_DEFAULT_ACCOUNT,
    region: settings.regions[0] ?? process.env.CDK_DEFAULT_REGION,
  };
  const stack = new ChatStack(app, stackNameFor(stage), {
    env,
    stage,
    description: `Chat backend, stage ${stage}`,
    tableRemovalPolicy: settings.removalPolicy,
    maxGroupMembers: settings.limits.maxGroupMembers,
    logRetention: settings.logRetention,
    alarmEmail: settings.alarmEmail,
    httpThrottle: { rateLimit: settings.limits.httpRateLimit, burstLimit: settings.limits.httpBurstLimit },
    webSocketThrottle: {
      rateLimit: settings.limits.webSocketRateLimit,
      burstLimit: settings.limits.webSocketBurstLimit,
    },
    createApiGatewayLoggingRole: settings.createApiGatewayLoggingRole,
  });
  return { settings, stacks: [stack] };
}
