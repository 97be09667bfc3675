/**
 * The house Lambda function: Node 22 on arm64, ESM, minified with source maps, the AWS SDK v3 bundled, its own
 * log group with a retention, JSON logs and X-Ray tracing. Every function in the stack is one of these.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { bundleSettings } from '../bundling';

export interface ChatFunctionProps {
  /** Path of the entry file, relative to the project root. */
  entry: string;
  description: string;
  environment?: Record<string, string>;
  memoryMb?: number;
  timeout?: Duration;
  /** Build-time constants (esbuild `define`), see `lib/bundling.ts`. */
  define?: Record<string, string>;
  /** Executions kept for (and the most allowed to) this function; unset by default (a stage option). */
  reservedConcurrency?: number;
}

export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_22_X;
/** Memory of a function that sets none (bench/costs.ts prices each function at its configured memory). */
export const DEFAULT_MEMORY_MB = 512;

export class ChatFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ChatFunctionProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // A role of our own instead of AWSLambdaBasicExecutionRole: it may write to this function's log group only.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${id}`,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memoryMb ?? DEFAULT_MEMORY_MB,
      timeout: props.timeout ?? Duration.seconds(10),
      reservedConcurrentExecutions: props.reservedConcurrency,
      role: this.role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'chat-api',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...props.environment,
      },
      // The same settings the bundle budget test and the bench build with (lib/bundling.ts).
      bundling: {
        format: OutputFormat.ESM,
        target: bundleSettings.target,
        platform: bundleSettings.platform,
        minify: bundleSettings.minify,
        sourceMap: bundleSettings.sourceMap,
        sourcesContent: bundleSettings.sourcesContent,
        mainFields: [...bundleSettings.mainFields],
        banner: bundleSettings.banner,
        define: props.define,
        esbuildArgs: {
          '--alias': Object.entries(bundleSettings.alias).map(([from, to]) => `${from}=${to}`),
        },
        bundleAwsSDK: true,
        externalModules: [],
        forceDockerBundling: false,
      },
    });
    // cdk-nag AwsSolutions findings this construct accepts, each with its reason.
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: "X-Ray's PutTraceSegments and PutTelemetryRecords support no resource-level scoping.",
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'The runtime is pinned to nodejs22.x by project decision (development and CI run on Node 22 too, through the node@22 devDependency).',
    });
  }
}
