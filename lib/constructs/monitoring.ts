/**
 * Alarms, their SNS topic, and the stage's dashboard (golden signals per route, real-time delivery, the
 * table, the business metrics of functions/shared/metrics). Plain CDK rather than cdk-monitoring-constructs:
 * a few dozen alarms whose thresholds and meaning docs/operations.md explains one by one, tested with
 * targeted template assertions; the library's value (a monitor per service type, generated dashboards)
 * comes with its own opinions, naming and a large dependency to keep in step with aws-cdk-lib.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  METRICS_NAMESPACE,
  type MetricName,
  metricDetails,
  metricUnits,
} from '../../functions/shared/metrics/definitions';
import type { ChatFunction } from './chat-function';

/** The alarms, by id; docs/operations.md has a section for each. */
export const ALARMS = {
  http5xxRate: 'Http5xxRate',
  webSocketErrors: 'WebSocketErrors',
  streamIteratorAge: 'StreamIteratorAge',
  deadLetters: 'DeadLetters',
  tableThrottles: 'TableThrottles',
  functionErrors: (functionId: string) => `${functionId}Errors`,
  functionThrottles: (functionId: string) => `${functionId}Throttles`,
} as const;

export interface MonitoringProps {
  stage: string;
  /** Subscribed to the alarm topic when given. */
  alarmEmail?: string | null;
  http: { apiId: string; functions: ReadonlyMap<string, ChatFunction>; accessLogs: logs.ILogGroup };
  webSocket: { apiId: string; stageName: string; functions: ReadonlyMap<string, ChatFunction> };
  streamConsumer: ChatFunction;
  /** Announces presence changes the debounce held back, when their window ends. */
  presenceRecheck: ChatFunction;
  /** In the home region only (S3 events of the media bucket). */
  uploadChecker?: ChatFunction;
  table: dynamodb.ITableV2;
  deadLetterQueue: sqs.IQueue;
}

const FIVE_MINUTES = Duration.minutes(5);

/** A construct id from a route name: `sign-up` -> `SignUp`. */
const pascal = (name: string) =>
  name.replace(/(^|-)([a-z0-9])/g, (_, __, letter: string) => letter.toUpperCase());

export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[] = [];
  private readonly stage: string;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.stage = props.stage;
    this.topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: `Chat backend alarms (${props.stage})`,
      enforceSSL: true,
    });
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'Alarm notifications carry alarm names and metric values, nothing confidential; CloudWatch cannot publish to a topic encrypted with the AWS managed key, and a customer managed key per stage is not worth its cost here.',
    });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    const functions = [
      ...[...props.http.functions].map(([name, fn]) => ({ id: `Http${pascal(name)}`, fn })),
      ...[...props.webSocket.functions].map(([name, fn]) => ({ id: `Ws${pascal(name)}`, fn })),
      { id: 'TableStream', fn: props.streamConsumer },
      { id: 'PresenceRecheck', fn: props.presenceRecheck },
      ...(props.uploadChecker ? [{ id: 'MediaUploaded', fn: props.uploadChecker }] : []),
    ];

    const httpMetric = (metricName: string, statistic = 'Sum') =>
      new cloudwatch.Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        dimensionsMap: { ApiId: props.http.apiId },
        statistic,
        period: FIVE_MINUTES,
      });
    const requests = httpMetric('Count');
    const serverErrors = httpMetric('5xx');
    const clientErrors = httpMetric('4xx');
    const latency = httpMetric('Latency', 'p99');
    const http5xxRate = new cloudwatch.MathExpression({
      expression: 'IF(requests >= 20, 100 * errors / requests, 0)',
      usingMetrics: { requests, errors: serverErrors },
      label: 'HTTP 5xx (% of requests)',
      period: FIVE_MINUTES,
    });
    this.alarm(ALARMS.http5xxRate, {
      metric: http5xxRate,
      threshold: 1,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      description: 'More than 1% of HTTP API requests answered 5xx (of at least 20 in 5 minutes).',
    });

    const webSocketMetric = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        dimensionsMap: { ApiId: props.webSocket.apiId, Stage: props.webSocket.stageName },
        statistic: 'Sum',
        period: FIVE_MINUTES,
      });
    const webSocketErrors = new cloudwatch.MathExpression({
      expression: 'integration + execution',
      usingMetrics: {
        integration: webSocketMetric('IntegrationError'),
        execution: webSocketMetric('ExecutionError'),
      },
      label: 'WebSocket 5xx (integration and execution errors)',
      period: FIVE_MINUTES,
    });
    this.alarm(ALARMS.webSocketErrors, {
      metric: webSocketErrors,
      threshold: 5,
      evaluationPeriods: 1,
      description: 'The WebSocket API answered 5 or more server errors in 5 minutes.',
    });

    for (const { id: functionId, fn } of functions) {
      this.alarm(ALARMS.functionErrors(functionId), {
        metric: fn.function.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        description: `The ${functionId} function failed (crashed, timed out or threw) in the last 5 minutes.`,
        runbook: 'FunctionErrors',
      });
      this.alarm(ALARMS.functionThrottles(functionId), {
        metric: fn.function.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        description: `Lambda refused to run the ${functionId} function (concurrency) in the last 5 minutes.`,
        runbook: 'FunctionThrottles',
      });
    }

    const iteratorAge = props.streamConsumer.function.metric('IteratorAge', {
      statistic: 'Maximum',
      period: Duration.minutes(1),
    });
    this.alarm(ALARMS.streamIteratorAge, {
      metric: iteratorAge,
      threshold: 60_000,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      description: 'The table-stream consumer is more than a minute behind the table (3 of 5 minutes).',
    });

    const deadLetters = props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      statistic: 'Maximum',
      period: Duration.minutes(1),
    });
    this.alarm(ALARMS.deadLetters, {
      metric: deadLetters,
      threshold: 1,
      evaluationPeriods: 1,
      description: 'Work failed after all its retries and waits in the dead-letter queue: npm run redrive.',
    });

    // The operations the functions use (route table and stream consumer).
    const tableThrottles = props.table.metricThrottledRequestsForOperations({
      period: FIVE_MINUTES,
      operations: [
        dynamodb.Operation.GET_ITEM,
        dynamodb.Operation.PUT_ITEM,
        dynamodb.Operation.UPDATE_ITEM,
        dynamodb.Operation.DELETE_ITEM,
        dynamodb.Operation.QUERY,
        dynamodb.Operation.BATCH_GET_ITEM,
        dynamodb.Operation.TRANSACT_WRITE_ITEMS,
      ],
    });
    this.alarm(ALARMS.tableThrottles, {
      metric: tableThrottles,
      threshold: 1,
      evaluationPeriods: 1,
      description: 'DynamoDB throttled requests to the table in the last 5 minutes.',
    });

    this.dashboard = this.buildDashboard(props, functions, {
      requests,
      clientErrors,
      serverErrors,
      latency,
      webSocketMetric,
      iteratorAge,
      deadLetters,
      tableThrottles,
    });
  }

  /** One of ours: `ChatBackend` metric for this stage, its base dimensions, summed over 5 minutes. */
  business(name: MetricName, extra: Record<string, string> = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName: name,
      dimensionsMap: { service: 'chat-api', stage: this.stage, ...extra },
      statistic: metricUnits[name] === 'Milliseconds' ? 'Maximum' : 'Sum',
      period: FIVE_MINUTES,
      label: name,
    });
  }

  private alarm(
    id: string,
    options: {
      metric: cloudwatch.IMetric;
      threshold: number;
      evaluationPeriods: number;
      datapointsToAlarm?: number;
      description: string;
      /** The section of docs/operations.md about it (default: the alarm's own). */
      runbook?: string;
    },
  ) {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric: options.metric,
      threshold: options.threshold,
      evaluationPeriods: options.evaluationPeriods,
      datapointsToAlarm: options.datapointsToAlarm,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `${options.description} What to check: docs/operations.md#${(options.runbook ?? id).toLowerCase()}`,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
    return alarm;
  }

  private buildDashboard(
    props: MonitoringProps,
    functions: { id: string; fn: ChatFunction }[],
    m: {
      requests: cloudwatch.Metric;
      clientErrors: cloudwatch.Metric;
      serverErrors: cloudwatch.Metric;
      latency: cloudwatch.Metric;
      webSocketMetric: (name: string) => cloudwatch.Metric;
      iteratorAge: cloudwatch.Metric;
      deadLetters: cloudwatch.Metric;
      tableThrottles: cloudwatch.IMetric;
    },
  ) {
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      // Dashboard names are unique per account, across regions.
      dashboardName: `chat-${props.stage.replace(/[^A-Za-z0-9_-]/g, '-')}-${Stack.of(this).region}`,
      defaultInterval: Duration.hours(3),
    });
    const routes = functions.filter(({ id }) => id.startsWith('Http'));
    const perRoute = (title: string, metric: (fn: lambda.IFunction, label: string) => cloudwatch.IMetric) =>
      new cloudwatch.GraphWidget({
        title,
        width: 12,
        height: 8,
        left: routes.map(({ id, fn }) => metric(fn.function, id.slice('Http'.length))),
        legendPosition: cloudwatch.LegendPosition.RIGHT,
      });
    const graph = (title: string, left: cloudwatch.IMetric[], width = 8) =>
      new cloudwatch.GraphWidget({ title, left, width, height: 6 });

    dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: `# Chat backend: ${props.stage}\nGolden signals per route, real-time delivery, the table, business metrics. Every alarm is explained in docs/operations.md.`,
        width: 24,
        height: 2,
      }),
    );
    dashboard.addWidgets(
      graph('HTTP API: traffic (requests / 5 min)', [m.requests]),
      graph('HTTP API: errors', [m.clientErrors, m.serverErrors]),
      graph('HTTP API: latency p99 (ms)', [m.latency, m.latency.with({ statistic: 'p50' })]),
    );
    dashboard.addWidgets(
      perRoute('Per route: invocations', (fn, label) =>
        fn.metricInvocations({ period: FIVE_MINUTES, label }),
      ),
      perRoute('Per route: duration p99 (ms)', (fn, label) =>
        fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p99', label }),
      ),
    );
    dashboard.addWidgets(
      perRoute('Per route: function errors', (fn, label) =>
        fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum', label }),
      ),
      new cloudwatch.LogQueryWidget({
        title: 'Per route: requests, 4xx, 5xx and latency (access logs)',
        logGroupNames: [props.http.accessLogs.logGroupName],
        width: 12,
        height: 8,
        queryLines: [
          'fields routeKey, status, latencyMs',
          'stats count(*) as requests, sum(status >= 400 and status < 500) as `4xx`, sum(status >= 500) as `5xx`, pct(latencyMs, 99) as p99ms by routeKey',
          'sort requests desc',
        ],
      }),
    );
    dashboard.addWidgets(
      graph('WebSocket: connections and messages', [
        m.webSocketMetric('ConnectCount'),
        m.webSocketMetric('MessageCount'),
      ]),
      graph('WebSocket: errors', [
        m.webSocketMetric('IntegrationError'),
        m.webSocketMetric('ExecutionError'),
        m.webSocketMetric('ClientError'),
      ]),
      graph('Real-time deliveries', [
        this.business('DeliveriesAttempted'),
        this.business('DeliveriesGone'),
        this.business('DeliveriesFailed'),
        this.business('StaleConnectionsRemoved'),
      ]),
    );
    dashboard.addWidgets(
      graph('Table stream: lag (ms)', [m.iteratorAge, this.business('StreamBatchAge')]),
      graph('Dead letters waiting', [m.deadLetters]),
      graph('DynamoDB: throttled requests', [m.tableThrottles]),
    );
    dashboard.addWidgets(
      graph(
        'Messages sent, by type',
        ['text', 'image', 'video'].map((type) =>
          this.business('MessagesSent', { type }).with({ label: type }),
        ),
      ),
      graph('Security: failed logins, calls refused by limits', [
        this.business('LoginsFailed'),
        this.business('CallsRefusedByLimits'),
      ]),
      graph('Uploads checked', [this.business('UploadChecksPassed'), this.business('UploadChecksRejected')]),
    );
    // Describes the business metrics where people look for them.
    dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: (Object.keys(metricDetails) as MetricName[])
          .map((name) => `- **${name}**: ${metricDetails[name].description}`)
          .join('\n'),
        width: 24,
        height: 4,
      }),
    );
    return dashboard;
  }
}
