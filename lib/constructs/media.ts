/**
 * Media storage and delivery: a private bucket that clients upload to with presigned POSTs (into quarantine,
 * `uploads/`), a function that checks each upload and writes those that pass to their served keys, and a
 * CloudFront distribution (Origin Access Control) that serves avatars publicly and attachments only through
 * signed URLs (a key pair generated at deploy; private key in Secrets Manager), and never quarantine.
 */
import { Aws, CustomResource, Duration, Names, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { mediaUploadedDelivery } from '../../functions/shared/async-delivery';
import { corsPolicy } from '../../functions/shared/cors';
import { EXPORTS_PREFIX, QUARANTINE_PREFIX, SERVED_PREFIXES } from '../../functions/shared/media/object-keys';
import {
  DEFAULT_CONTENT_DISPOSITION,
  SERVED_FILE_HEADERS,
} from '../../functions/shared/media/served-headers';
import { ChatFunction } from './chat-function';

/**
 * The default behavior's viewer-request function: every path that matches no served prefix (quarantine
 * included) is answered at the edge and never reaches the bucket.
 */
export const NOT_SERVED_FUNCTION_CODE = `function handler(event) {
  return { statusCode: 404, statusDescription: 'Not Found' };
}`;

/** What the API functions need of the media setup, in the home region or (RemoteMedia) another one. */
export interface MediaAccess {
  readonly bucket: s3.IBucket;
  readonly baseUrl: string;
  readonly publicKey: { readonly publicKeyId: string };
  readonly signingKeySecret: secretsmanager.ISecret;
  /** The bucket's region, when it is not the stack's (presigned uploads are signed for it). */
  readonly bucketRegion?: string;
  grantPresignUploads(role: iam.IRole): void;
  /** Lets a function presign downloads of data exports (s3:GetObject under `exports/`). */
  grantReadExports(role: iam.IRole): void;
}

/** Reading data exports: the presigned GET of `GET /users/me/export` is signed with this grant. */
function grantReadExportsOf(bucket: s3.IBucket, role: iam.IRole) {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [bucket.arnForObjects(`${EXPORTS_PREFIX}*`)],
    }),
  );
}

export interface MediaProps {
  table: dynamodb.ITableV2;
  removalPolicy: RemovalPolicy;
  /** The stage's other regions: the CDN signing key is replicated to each (docs/global.md). */
  replicaRegions?: readonly string[];
  /** A fixed bucket name (multi-region: the other regions name it without a cross-region reference). */
  bucketName?: string;
  /** Where upload-check events that still fail after Lambda's retries go (the whole S3 event). */
  deadLetterQueue: sqs.IQueue;
}

/**
 * The upload check's memory: an image (up to 25 MB) is held in memory about three times over while it is
 * stripped; more memory also means more CPU for the walk over its bytes. Videos are copied inside S3.
 */
export const UPLOAD_CHECK_MEMORY_MB = 1024;

export class Media extends Construct implements MediaAccess {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly signingKeySecret: secretsmanager.Secret;
  readonly publicKey: cloudfront.PublicKey;
  readonly baseUrl: string;
  readonly uploadChecker: ChatFunction;

  constructor(scope: Construct, id: string, props: MediaProps) {
    super(scope, id);
    const autoDelete = props.removalPolicy === RemovalPolicy.DESTROY;

    const logs = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront standard logging writes with ACLs.
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: autoDelete,
    });
    Validations.of(logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access log bucket itself; logging it into itself would loop.',
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: props.bucketName,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'media/',
      cors: [
        {
          allowedMethods: [s3.HttpMethods.POST, s3.HttpMethods.PUT],
          // Any origin: the presigned POST's signed policy is what authorizes an upload (CORS only lets a page
          // read S3's answer), and naming the web app's origin here would make the bucket depend on the web
          // distribution, whose Content-Security-Policy depends on this bucket.
          allowedOrigins: ['*'],
          allowedHeaders: ['*'],
          maxAge: corsPolicy.maxAgeSeconds,
        },
      ],
      lifecycleRules: [
        // Uploads that never completed (multipart) are removed after a day.
        { abortIncompleteMultipartUploadAfter: Duration.days(1) },
        // The upload check deletes each quarantined object; any it never saw (a failed check) goes after a day.
        { prefix: QUARANTINE_PREFIX, expiration: Duration.days(1) },
        // Data exports are kept a week (the export item says so too), then removed.
        { prefix: EXPORTS_PREFIX, expiration: Duration.days(7) },
      ],
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: autoDelete,
    });

    this.signingKeySecret = new secretsmanager.Secret(this, 'CdnSigningKey', {
      description: 'Private key that signs CloudFront URLs for private media (generated at deploy)',
      replicaRegions: props.replicaRegions?.map((region) => ({ region })),
    });
    Validations.of(this.signingKeySecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotation means a new CloudFront public key in the key group while old URLs (15 min) expire; done by redeploying with a new key pair, not by a rotation Lambda.',
    });
    const keyPairFunction = new ChatFunction(this, 'CdnKeyPair', {
      entry: 'functions/custom-resources/cdn-key-pair.ts',
      description: 'Generates the CloudFront URL signing key pair at deploy',
      timeout: Duration.seconds(60),
    });
    this.signingKeySecret.grantRead(keyPairFunction.role);
    this.signingKeySecret.grantWrite(keyPairFunction.role);
    const keyPair = new CustomResource(this, 'CdnKeyPairResource', {
      serviceToken: keyPairFunction.function.functionArn,
      properties: { SecretArn: this.signingKeySecret.secretArn },
    });
    this.publicKey = new cloudfront.PublicKey(this, 'CdnPublicKey', {
      encodedKey: keyPair.getAttString('PublicKey'),
      comment: 'Verifies signed URLs for private chat media',
    });
    const keyGroup = new cloudfront.KeyGroup(this, 'CdnKeyGroup', { items: [this.publicKey] });

    const origin = origins.S3BucketOrigin.withOriginAccessControl(this.bucket);
    // User files are never sniffed, never active content, and downloads unless the object says inline.
    const userFileHeaders = new cloudfront.ResponseHeadersPolicy(this, 'UserFileHeaders', {
      comment: 'Chat media: nosniff, a sandboxing CSP, attachment unless the object is inline',
      securityHeadersBehavior: {
        contentTypeOptions: { override: true },
        contentSecurityPolicy: {
          contentSecurityPolicy: SERVED_FILE_HEADERS['Content-Security-Policy'],
          override: true,
        },
      },
      customHeadersBehavior: {
        customHeaders: [
          // override false: the Content-Disposition the upload check stored on the object wins.
          { header: 'Content-Disposition', value: DEFAULT_CONTENT_DISPOSITION, override: false },
        ],
      },
    });
    const served = (signed: boolean): cloudfront.BehaviorOptions => ({
      origin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
      responseHeadersPolicy: userFileHeaders,
      ...(signed ? { trustedKeyGroups: [keyGroup] } : {}),
    });
    const notServed = new cloudfront.Function(this, 'NotServed', {
      comment: 'Answers 404 for every path outside the served prefixes',
      code: cloudfront.FunctionCode.fromInline(NOT_SERVED_FUNCTION_CODE),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
    });
    this.distribution = new cloudfront.Distribution(this, 'Cdn', {
      comment: 'Chat media',
      // Only the served prefixes reach the bucket. Anything else (quarantine, `uploads/…`, included) falls
      // to the default behavior, which answers at the edge; it also demands a signed URL, which we never
      // issue for such paths. CloudFront matches behaviors on the normalized path (RFC 3986: dot segments
      // and duplicate slashes resolved) and forwards the raw path, which S3 takes literally (see
      // local/cdn.ts), so no spelling of a path reaches quarantine.
      defaultBehavior: {
        ...served(true),
        functionAssociations: [
          { function: notServed, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
        ],
      },
      additionalBehaviors: {
        'avatars/*': served(false),
        'attachments/*': served(true),
      },
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cdn/',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: 'Chat media is for users anywhere; no geographic restriction applies.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason:
        'Attachments are only served through signed, expiring URLs and avatars are public; a WAF web ACL is a per-deployment choice (cost) documented in docs/architecture.md.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR4',
      reason:
        'Without a custom domain CloudFront serves its default *.cloudfront.net certificate, whose policy cannot be raised; attach a custom domain and certificate to enforce TLSv1.2_2021.',
    });
    this.baseUrl = `https://${this.distribution.distributionDomainName}`;
    // And the bucket refuses CloudFront everything but the served prefixes, whatever a behavior says.
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CdnReadsServedPrefixesOnly',
        effect: iam.Effect.DENY,
        principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
        actions: ['s3:GetObject'],
        notResources: SERVED_PREFIXES.map((prefix) => this.bucket.arnForObjects(`${prefix}*`)),
      }),
    );

    const uploaded = new ChatFunction(this, 'MediaUploaded', {
      entry: 'functions/s3/media-uploaded.ts',
      description: 'Checks each upload in quarantine: served (metadata stripped) and ready, or rejected',
      memoryMb: UPLOAD_CHECK_MEMORY_MB,
      timeout: Duration.seconds(60),
      environment: { TABLE_NAME: props.table.tableName, MEDIA_BUCKET: this.bucket.bucketName },
    });
    // S3 invokes it asynchronously: Lambda retries, then hands the event to the dead-letter queue.
    uploaded.function.configureAsyncInvoke({
      retryAttempts: mediaUploadedDelivery.retryAttempts,
      maxEventAge: Duration.seconds(mediaUploadedDelivery.maxEventAgeSeconds),
      onFailure: new destinations.SqsDestination(props.deadLetterQueue),
    });
    this.uploadChecker = uploaded;
    uploaded.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        resources: [props.table.tableArn],
      }),
    );
    uploaded.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:DeleteObject'],
        resources: [this.bucket.arnForObjects(`${QUARANTINE_PREFIX}*`)],
      }),
    );
    uploaded.role.addToPolicy(
      new iam.PolicyStatement({
        // PutObject: write a checked file to its served key; DeleteObject: take it back if the media was
        // rejected meanwhile. It never reads served files.
        actions: ['s3:PutObject', 's3:DeleteObject'],
        resources: SERVED_PREFIXES.map((prefix) => this.bucket.arnForObjects(`${prefix}*`)),
      }),
    );
    for (const finding of this.objectPrefixFindings([QUARANTINE_PREFIX, ...SERVED_PREFIXES])) {
      Validations.of(uploaded.role).acknowledge({
        id: finding,
        reason:
          'Each upload has its own key: the checker reads and deletes any in quarantine and writes any served key.',
      });
    }
    this.bucket.addEventNotification(
      s3.EventType.OBJECT_CREATED,
      new s3n.LambdaDestination(uploaded.function),
      { prefix: QUARANTINE_PREFIX },
    );
    // CDK's own helper that configures bucket notifications (a singleton Lambda of aws-cdk-lib).
    Validations.of(Stack.of(this)).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        "aws-cdk-lib's BucketNotificationsHandler uses AWSLambdaBasicExecutionRole; it runs only during deployment.",
    });
  }

  /**
   * cdk-nag finding ids for object wildcards under these prefixes (acknowledged one by one in v3), as a policy
   * of `scope` names the bucket: by its logical id in this stack, or by the parameter CDK makes for it in a
   * nested stack (`referenceto<unique id>Arn`, as the HTTP routes' functions see it).
   */
  objectPrefixFindings(prefixes: readonly string[], scope: IConstruct = this): string[] {
    const stack = Stack.of(this);
    const cfnBucket = this.bucket.node.defaultChild as s3.CfnBucket;
    const bucketArn =
      Stack.of(scope) === stack
        ? `${stack.resolve(stack.getLogicalId(cfnBucket)) as string}.Arn`
        : `referenceto${Names.nodeUniqueId(cfnBucket.node)}Arn`;
    return prefixes.map((prefix) => `AwsSolutions-IAM5[Resource::<${bucketArn}>/${prefix}*]`);
  }

  /** Lets a function presign uploads (signed with the function's own credentials): into quarantine only. */
  grantPresignUploads(role: iam.IRole) {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`${QUARANTINE_PREFIX}*`)],
      }),
    );
    for (const finding of this.objectPrefixFindings([QUARANTINE_PREFIX], role)) {
      Validations.of(role).acknowledge({
        id: finding,
        reason: `Presigned uploads go to per-upload keys in quarantine (${QUARANTINE_PREFIX}*), never to served keys.`,
      });
    }
  }

  grantReadExports(role: iam.IRole) {
    grantReadExportsOf(this.bucket, role);
    for (const finding of this.objectPrefixFindings([EXPORTS_PREFIX], role)) {
      Validations.of(role).acknowledge({
        id: finding,
        reason: `Each export has its own key under ${EXPORTS_PREFIX}<user>/; the route presigns only the caller's.`,
      });
    }
  }

  /**
   * Lets a function write data exports (the table-stream function makes them): PutObject under `exports/`.
   */
  grantWriteExports(role: iam.IRole) {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`${EXPORTS_PREFIX}*`)],
      }),
    );
    for (const finding of this.objectPrefixFindings([EXPORTS_PREFIX])) {
      Validations.of(role).acknowledge({
        id: finding,
        reason: `Each export has its own key under ${EXPORTS_PREFIX}<user>/.`,
      });
    }
  }

  /**
   * Lets a function delete a deleted account's files (the table-stream function, which runs the sweep): list
   * the served prefixes (`<prefix><user>/`) and delete under them. Never quarantine, never other buckets.
   */
  grantDeleteAccountFiles(role: iam.IRole) {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': ['avatars/*', 'attachments/*', `${EXPORTS_PREFIX}*`] } },
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:DeleteObject'],
        resources: [
          this.bucket.arnForObjects('attachments/*'),
          this.bucket.arnForObjects(`${EXPORTS_PREFIX}*`),
        ],
      }),
    );
    for (const finding of this.objectPrefixFindings(['attachments/', EXPORTS_PREFIX])) {
      Validations.of(role).acknowledge({
        id: finding,
        reason:
          "A deleted account's files are under attachments/<user>/ (and avatars/<user>/): listed and deleted.",
      });
    }
  }

  /** Lets a function delete replaced profile pictures (the table-stream function). */
  grantDeleteProfilePictures(role: iam.IRole) {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:DeleteObject'],
        resources: [this.bucket.arnForObjects('avatars/*')],
      }),
    );
    for (const finding of this.objectPrefixFindings(['avatars/'])) {
      Validations.of(role).acknowledge({
        id: finding,
        reason: 'Each profile picture has its own key under avatars/; a replaced one is deleted.',
      });
    }
  }
}

/**
 * The media of a multi-region stage's home region, seen from another region: the same bucket (uploads are
 * presigned for the bucket's region), the same CDN and key pair id, and the CDN signing key's replica in
 * this region (Secrets Manager replicates it; found by name).
 */
export class RemoteMedia extends Construct implements MediaAccess {
  readonly bucket: s3.IBucket;
  readonly baseUrl: string;
  readonly publicKey: { readonly publicKeyId: string };
  readonly signingKeySecret: secretsmanager.ISecret;
  readonly bucketRegion: string;

  constructor(scope: Construct, id: string, props: { home: Media; homeRegion: string; bucketName: string }) {
    super(scope, id);
    this.bucket = s3.Bucket.fromBucketAttributes(this, 'Bucket', {
      bucketName: props.bucketName,
      region: props.homeRegion,
    });
    this.baseUrl = props.home.baseUrl;
    this.publicKey = { publicKeyId: props.home.publicKey.publicKeyId };
    this.signingKeySecret = secretsmanager.Secret.fromSecretNameV2(
      this,
      'CdnSigningKey',
      props.home.signingKeySecret.secretName,
    );
    this.bucketRegion = props.homeRegion;
  }

  grantPresignUploads(role: iam.IRole): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`${QUARANTINE_PREFIX}*`)],
      }),
    );
    // cdk-nag names the resource as it renders the bucket name: the account as <AWS::AccountId>.
    const rendered = this.bucket.bucketName.replace(Aws.ACCOUNT_ID, '<AWS::AccountId>');
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${rendered}/${QUARANTINE_PREFIX}*]`,
      reason: `Presigned uploads go to per-upload keys in the home region bucket's quarantine (${QUARANTINE_PREFIX}*), never to served keys.`,
    });
  }

  grantReadExports(role: iam.IRole): void {
    grantReadExportsOf(this.bucket, role);
    const rendered = this.bucket.bucketName.replace(Aws.ACCOUNT_ID, '<AWS::AccountId>');
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${rendered}/${EXPORTS_PREFIX}*]`,
      reason: `Each export has its own key under ${EXPORTS_PREFIX}<user>/; the route presigns only the caller's.`,
    });
  }
}
