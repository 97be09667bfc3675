/**
 * The floor of the routes that presign uploads: the bare document client with one GetItem, plus the S3 client
 * and the presigned POST they need, nothing of ours.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const s3 = new S3Client({});

export const handler = async (event: { id: string }) => {
  await client.send(
    new GetCommand({ TableName: process.env.TABLE_NAME, Key: { PK: event.id, SK: event.id } }),
  );
  return createPresignedPost(s3, { Bucket: process.env.MEDIA_BUCKET ?? '', Key: event.id, Expires: 300 });
};
