/** The function that reads the table's stream (inboxes, previews, users' change feeds and their sockets). */
import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { tableStreamDelivery } from '../../functions/shared/async-delivery';
import { PICTURE_CHANGES_PATTERN, STREAM_FILTER_PATTERNS } from '../../functions/streams/stream-filter';
import { ChatFunction } from './chat-function';

export interface StreamProcessorProps {
  table: dynamodb.ITableV2;
  environment?: Record<string, string>;
  /** Real-time delivery: the WebSocket API whose connections the function posts to. */
  webSocket?: { callbackUrl: string; grantManageConnections(role: iam.IRole): void };
  /** Where batches that still fail after their retries are described (shard and sequence range). */
  deadLetterQueue: sqs.IQueue;
  /**
   * Whether this function deletes replaced profile pictures (default true). Off outside a multi-region
   * stage's home region: every replica's stream sees the change, the home region (which has the bucket)
   * deletes the file.
   */
  deletesReplacedPictures?: boolean;
  /** Reserved concurrency for the consumer (a stage option, off by default). */
  reservedConcurrency?: number;
}

export class StreamProcessor extends Construct {
  readonly handler: ChatFunction;
  /** Announces the presence changes the debounce held back, when their window ends. */
  readonly presenceRecheck: ChatFunction;

  constructor(scope: Construct, id: string, props: StreamProcessorProps) {
    super(scope, id);
    const { table } = props;
    this.handler = new ChatFunction(this, 'TableStream', {
      entry: 'functions/streams/table-stream.ts',
      description: 'Table stream: inboxes, previews, change feeds and real-time delivery',
      timeout: Duration.seconds(60),
      reservedConcurrency: props.reservedConcurrency,
      environment: {
        TABLE_NAME: table.tableName,
        ...(props.webSocket ? { WEBSOCKET_CALLBACK_URL: props.webSocket.callbackUrl } : {}),
        ...props.environment,
      },
    });
    const role = this.handler.role;
    // Query: a conversation with its members, unread counts. UpdateItem: inbox entries, previews, feed heads
    // (positions, gone connections). GetItem: an inbox entry to recompute. DeleteItem: a former member's
    // inbox entry, a replaced picture's media item. BatchWriteItem: feed entries. ConditionCheckItem: a
    // deleted account's reactions taken back (the reaction transaction checks the membership). Presence: the
    // user's direct conversations (Query of their inbox on GSI1) and where their watchers are connected
    // (BatchGetItem of heads).
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          'dynamodb:ConditionCheckItem',
          'dynamodb:Query',
          'dynamodb:GetItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:BatchWriteItem',
          'dynamodb:BatchGetItem',
        ],
        resources: [table.tableArn],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${table.tableArn}/index/GSI1`] }),
    );
    // Posts events and closes connections whose access token has expired.
    if (props.webSocket) props.webSocket.grantManageConnections(role);
    if (!table.tableStreamArn) throw new Error('The table must have a stream');
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        resources: [table.tableStreamArn],
      }),
    );
    const rechecks = this.presenceRechecks(props);
    this.presenceRecheck = rechecks.handler;
    for (const fn of [this.handler, rechecks.handler]) {
      fn.function.addEnvironment('PRESENCE_RECHECK_QUEUE_URL', rechecks.queue.queueUrl);
      rechecks.queue.grantSendMessages(fn.role);
    }

    new lambda.EventSourceMapping(this, 'FromTableStream', {
      target: this.handler.function,
      eventSourceArn: table.tableStreamArn,
      startingPosition: lambda.StartingPosition.LATEST,
      // Retries, splitting, record age and parallelism: the same settings the local poller applies.
      batchSize: tableStreamDelivery.batchSize,
      maxBatchingWindow: Duration.millis(tableStreamDelivery.maxBatchingWindowMs),
      reportBatchItemFailures: tableStreamDelivery.reportBatchItemFailures,
      bisectBatchOnError: tableStreamDelivery.bisectBatchOnFunctionError,
      retryAttempts: tableStreamDelivery.retryAttempts,
      maxRecordAge: Duration.seconds(tableStreamDelivery.maxRecordAgeSeconds),
      parallelizationFactor: tableStreamDelivery.parallelizationFactor,
      onFailure: new SqsDlq(props.deadLetterQueue),
      // Records no pattern matches are dropped by Lambda and never paid for (functions/streams/stream-filter.ts).
      // Outside a multi-region stage's home region, replaced profile pictures are left to the home region.
      filters: STREAM_FILTER_PATTERNS.filter(
        (pattern) => props.deletesReplacedPictures !== false || pattern !== PICTURE_CHANGES_PATTERN,
      ).map((pattern) => lambda.FilterCriteria.filter({ ...pattern })),
    });
  }

  /**
   * The trailing edge of the presence debounce (functions/shared/realtime/presence-rechecks.ts): the consumer
   * puts a held-back change on this queue, delayed until its window ends; this function announces the state
   * the user is in then. No dead-letter queue: a failing recheck fails its function (the Errors alarm) and is
   * retried until the queue's retention drops it; replaying it later would announce a stale state.
   */
  private presenceRechecks(props: StreamProcessorProps): { handler: ChatFunction; queue: sqs.Queue } {
    const { table } = props;
    const queue = new sqs.Queue(this, 'PresenceRechecks', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // A recheck is worth nothing an hour later: the user's next connect or disconnect announces anyway.
      retentionPeriod: Duration.hours(1),
      visibilityTimeout: Duration.seconds(60),
    });
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'A presence recheck is only worth its window: one that keeps failing alarms through the function Errors alarm and expires after an hour, instead of waiting in a dead-letter queue to announce a stale state.',
    });
    const fn = new ChatFunction(this, 'PresenceRecheck', {
      entry: 'functions/streams/presence-recheck.ts',
      description: 'Presence: announces a change the debounce held back once its window ends',
      timeout: Duration.seconds(30),
      memoryMb: 256,
      environment: {
        TABLE_NAME: table.tableName,
        ...(props.webSocket ? { WEBSOCKET_CALLBACK_URL: props.webSocket.callbackUrl } : {}),
      },
    });
    // GetItem: the user's head and profile. UpdateItem: the announcement's claim, gone connections taken off a
    // head. Query: the user's direct conversations (GSI1) and their members. BatchGetItem: the watchers' heads.
    fn.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'],
        resources: [table.tableArn],
      }),
    );
    fn.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${table.tableArn}/index/GSI1`] }),
    );
    if (props.webSocket) props.webSocket.grantManageConnections(fn.role);
    // Sending (granted with the consumer's): a recheck still held, as by a window longer than SQS's 15-minute
    // delay, is put back on the queue.
    fn.function.addEventSource(new SqsEventSource(queue, { batchSize: 10 }));
    return { handler: fn, queue };
  }
}
