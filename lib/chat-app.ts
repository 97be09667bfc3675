/**
 * The whole app for one stage: its settings (stages/<stage>.json and context overrides), then its stack.
 * bin/app.ts calls this; the infra tests call it with their own context.
 */
import { type App, Aws } from 'aws-cdk-lib';
import { ChatStack } from './chat-stack';
import { loadStageSettings, type StageSettings } from './stages';

export interface ChatApp {
  settings: StageSettings;
  stacks: ChatStack[];
}

/** The home region's stack is `Chat-<stage>`; each other region's `Chat-<stage>-<region>`. */
export const stackNameFor = (stage: string, region?: string, homeRegion?: string) =>
  region && homeRegion && region !== homeRegion ? `Chat-${stage}-${region}` : `Chat-${stage}`;

/** The global table's name in a multi-region stage: fixed, so that every region finds its replica. */
export const globalTableName = (stage: string) => `chat-${stage}`;

/** The media bucket's name in a multi-region stage (bucket names are global; the account makes it unique). */
export const globalMediaBucketName = (stage: string) => `chat-media-${stage}-${Aws.ACCOUNT_ID}`;

export function buildChatApp(app: App): ChatApp {
  const stage = String(app.node.tryGetContext('stage') ?? 'dev');
  const settings = loadStageSettings(stage, (key) => app.node.tryGetContext(key));
  const account = settings.account ?? process.env.CDK_DEFAULT_ACCOUNT;
  const [homeRegion, ...otherRegions] = settings.regions;
  const shared = {
    stage,
    tableRemovalPolicy: settings.removalPolicy,
    maxGroupMembers: settings.limits.maxGroupMembers,
    logRetention: settings.logRetention,
    alarmEmail: settings.alarmEmail,
    httpThrottle: { rateLimit: settings.limits.httpRateLimit, burstLimit: settings.limits.httpBurstLimit },
    webSocketThrottle: {
      rateLimit: settings.limits.webSocketRateLimit,
      burstLimit: settings.limits.webSocketBurstLimit,
    },
    rateLimits: settings.limits.rateLimits,
    streamReservedConcurrency: settings.limits.streamReservedConcurrency,
    publicRouteReservedConcurrency: settings.limits.publicRouteReservedConcurrency,
    createApiGatewayLoggingRole: settings.createApiGatewayLoggingRole,
    allowedOrigins: settings.allowedOrigins,
    tokenKeyGeneration: settings.tokenKeyGeneration,
    ...(settings.domainName && settings.hostedZoneId && settings.hostedZoneName
      ? {
          domain: {
            domainName: settings.domainName,
            hostedZoneId: settings.hostedZoneId,
            hostedZoneName: settings.hostedZoneName,
          },
        }
      : {}),
  };
  if (otherRegions.length === 0) {
    const stack = new ChatStack(app, stackNameFor(stage), {
      ...shared,
      env: { account, region: homeRegion ?? process.env.CDK_DEFAULT_REGION },
      description: `Chat backend, stage ${stage}`,
    });
    return { settings, stacks: [stack] };
  }
  // Several regions (docs/global.md): the home stack holds the global table, the media and the keys; each
  // other region's stack runs the APIs and the stream consumer on its replica. Values cross regions through
  // CDK's cross-region references (SSM parameters written and read at deploy).
  const tableName = globalTableName(stage);
  const mediaBucketName = globalMediaBucketName(stage);
  const home = new ChatStack(app, stackNameFor(stage), {
    ...shared,
    env: { account, region: homeRegion },
    crossRegionReferences: true,
    description: `Chat backend, stage ${stage}, home region`,
    global: { tableName, mediaBucketName, replicaRegions: otherRegions },
  });
  const others = otherRegions.map(
    (region) =>
      new ChatStack(app, stackNameFor(stage, region, homeRegion), {
        ...shared,
        env: { account, region },
        crossRegionReferences: true,
        description: `Chat backend, stage ${stage}, region ${region}`,
        global: { tableName, mediaBucketName, home },
      }),
  );
  for (const stack of others) {
    stack.addStackDependency(home, 'the table replica, the media, the token keys and the web app');
  }
  return { settings, stacks: [home, ...others] };
}
