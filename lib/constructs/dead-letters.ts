/**
 * The stage's dead-letter queue: where the table-stream consumer's event source mapping and the upload
 * check's asynchronous invocations put what still fails after their retries (functions/shared/async-delivery.ts).
 * Nothing is dropped silently: an alarm fires as soon as the queue holds a message, and `npm run redrive`
 * replays it (docs/operations.md).
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEAD_LETTER_RETENTION_DAYS } from '../../functions/shared/async-delivery';

export class DeadLetters extends Construct {
  readonly queue: sqs.Queue;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(DEAD_LETTER_RETENTION_DAYS),
      // Long enough for the redrive to replay a message before another reader could see it again.
      visibilityTimeout: Duration.minutes(5),
    });
    Validations.of(this.queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue (the on-failure destination of the stream consumer and the upload check); it is read only by the redrive command.',
    });
  }
}
