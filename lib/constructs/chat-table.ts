/** The single DynamoDB table, built from the shared table definition (the local setup reads the same one). */
import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { tableDefinition } from '../../functions/shared/data/table-definition';

export class ChatTable extends Construct {
  readonly table: dynamodb.TableV2;

  constructor(
    scope: Construct,
    id: string,
    props: {
      removalPolicy?: RemovalPolicy;
      /** A fixed name (multi-region: the other regions find their replica by it). */
      tableName?: string;
      /** Other regions with a replica: a DynamoDB global table (docs/global.md). */
      replicaRegions?: readonly string[];
    } = {},
  ) {
    super(scope, id);
    const deletionProtection = props.removalPolicy !== RemovalPolicy.DESTROY;
    const stringKey = (name: string) => ({ name, type: dynamodb.AttributeType.STRING });
    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: stringKey(tableDefinition.partitionKey),
      sortKey: stringKey(tableDefinition.sortKey),
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: tableDefinition.timeToLiveAttribute,
      dynamoStream: dynamodb.StreamViewType[tableDefinition.streamViewType],
      deletionProtection,
      tableName: props.tableName,
      replicas: props.replicaRegions?.map((region) => ({ region, deletionProtection })),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      globalSecondaryIndexes: tableDefinition.globalSecondaryIndexes.map((index) => ({
        indexName: index.indexName,
        partitionKey: stringKey(index.partitionKey),
        sortKey: stringKey(index.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      })),
    });
  }
}

/**
 * This region's replica of a multi-region stage's global table, which the home region's stack defines. Its
 * stream ARN carries a label only known once the replica exists, so it is read at deploy (DescribeTable).
 */
export class ReplicaTable extends Construct {
  readonly table: dynamodb.ITableV2;

  constructor(scope: Construct, id: string, props: { tableName: string }) {
    super(scope, id);
    const tableArn = Stack.of(this).formatArn({
      service: 'dynamodb',
      resource: 'table',
      resourceName: props.tableName,
    });
    const describe = new cr.AwsCustomResource(this, 'StreamArn', {
      onUpdate: {
        service: 'DynamoDB',
        action: 'describeTable',
        parameters: { TableName: props.tableName },
        physicalResourceId: cr.PhysicalResourceId.fromResponse('Table.LatestStreamArn'),
        outputPaths: ['Table.LatestStreamArn'],
      },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: [tableArn] }),
      installLatestAwsSdk: false,
    });
    // The function behind AwsCustomResource is a CDK singleton in the stack, with the basic execution role.
    Validations.of(Stack.of(this)).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        "aws-cdk-lib's AwsCustomResource provider (DescribeTable at deploy time, for the replica's stream ARN) uses AWSLambdaBasicExecutionRole.",
    });
    this.table = dynamodb.TableV2.fromTableAttributes(this, 'Table', {
      tableArn,
      tableStreamArn: describe.getResponseField('Table.LatestStreamArn'),
      grantIndexPermissions: true,
    });
  }
}
