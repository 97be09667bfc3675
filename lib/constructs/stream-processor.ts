/** The function that reads the table's stream (inbox fan-out, previews, real-time delivery). */
import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { tableStreamDelivery } from '../../functions/shared/async-delivery';
import { tableDefinition } from '../../functions/shared/data/table-definition';
import {
  PICTURE_CHANGES,
  SESSION_ENDS,
  STREAM_SORT_KEY_PREFIXES,
} from '../../functions/streams/stream-filter';
import { ChatFunction } from './chat-function';

export interface StreamProcessorProps {
  table: dynamodb.ITableV2;
  environment?: Record<string, string>;
  /** Real-time delivery: the WebSocket API whose connections the function posts to. */
  webSocket?: {
    callbackUrl: string;
    grantPostToConnections(role: iam.IRole): void;
    grantCloseConnections(role: iam.IRole): void;
  };
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

  constructor(scope: Construct, id: string, props: StreamProcessorProps) {
    super(scope, id);
    const { table } = props;
    this.handler = new ChatFunction(this, 'TableStream', {
      entry: 'functions/streams/table-stream.ts',
      description: 'Table stream: inbox fan-out, previews and real-time delivery',
      timeout: Duration.seconds(60),
      reservedConcurrency: props.reservedConcurrency,
      environment: {
        TABLE_NAME: table.tableName,
        ...(props.webSocket ? { WEBSOCKET_CALLBACK_URL: props.webSocket.callbackUrl } : {}),
        ...props.environment,
      },
    });
    const role = this.handler.role;
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query', 'dynamodb:UpdateItem'],
        resources: [table.tableArn],
      }),
    );
    if (props.webSocket) {
      // Query: members and their connections; DeleteItem: connections API Gateway reports gone (410).
      role.addToPolicy(
        new iam.PolicyStatement({ actions: ['dynamodb:DeleteItem'], resources: [table.tableArn] }),
      );
      props.webSocket.grantPostToConnections(role);
      // A removed session item (ended, or expired by TTL): its WebSockets are closed.
      props.webSocket.grantCloseConnections(role);
    }
    if (!table.tableStreamArn) throw new Error('The table must have a stream');
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        resources: [table.tableStreamArn],
      }),
    );
    new lambda.EventSourceMapping(this, 'FromTableStream', {
      target: this.handler.function,
      eventSourceArn: table.tableStreamArn,
      startingPosition: lambda.StartingPosition.LATEST,
      // Retries, splitting, record age and parallelism: the same settings the local poller applies.
      batchSize: tableStreamDelivery.batchSize,
      maxBatchingWindow: Duration.millis(0),
      reportBatchItemFailures: tableStreamDelivery.reportBatchItemFailures,
      bisectBatchOnError: tableStreamDelivery.bisectBatchOnFunctionError,
      retryAttempts: tableStreamDelivery.retryAttempts,
      maxRecordAge: Duration.seconds(tableStreamDelivery.maxRecordAgeSeconds),
      parallelizationFactor: tableStreamDelivery.parallelizationFactor,
      onFailure: new SqsDlq(props.deadLetterQueue),
      filters: [
        lambda.FilterCriteria.filter({
          dynamodb: {
            Keys: {
              [tableDefinition.sortKey]: {
                S: STREAM_SORT_KEY_PREFIXES.flatMap((prefix) => lambda.FilterRule.beginsWith(prefix)),
              },
            },
          },
        }),
        // Sessions removed (ended, or expired): their WebSockets are closed.
        lambda.FilterCriteria.filter({
          eventName: lambda.FilterRule.isEqual(SESSION_ENDS.eventName),
          dynamodb: {
            Keys: {
              [tableDefinition.sortKey]: { S: lambda.FilterRule.beginsWith(SESSION_ENDS.sortKeyPrefix) },
            },
          },
        }),
        // Profiles that had a picture: a replaced or removed picture's file is deleted.
        ...(props.deletesReplacedPictures === false
          ? []
          : [
              lambda.FilterCriteria.filter({
                dynamodb: {
                  Keys: { [tableDefinition.sortKey]: { S: [PICTURE_CHANGES.sortKey] } },
                  OldImage: { [PICTURE_CHANGES.oldImageAttribute]: { S: lambda.FilterRule.exists() } },
                },
              }),
            ]),
      ],
    });
  }
}
