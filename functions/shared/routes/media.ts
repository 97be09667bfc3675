/** Media uploads. */
import { defineRoute } from '../route-definition';
import {
  createMediaRequestSchema,
  mediaParamsSchema,
  mediaSchema,
  mediaUploadSchema,
} from '../schemas/media';

export const createMedia = /* @__PURE__ */ defineRoute({
  name: 'create-media',
  method: 'POST',
  path: '/media',
  auth: 'user',
  summary: 'Start an upload: returns a presigned S3 POST for the file',
  tag: 'Media',
  request: { body: createMediaRequestSchema },
  response: { status: 201, schema: mediaUploadSchema, description: 'The pending media and how to upload it' },
  errors: [413, 415],
  access: { table: ['dynamodb:PutItem'], presignUploads: true },
  // Besides the default per-route limit; both counted in one write (domain/upload-quota.ts).
  limits: [
    {
      name: 'pending-uploads',
      key: 'user',
      limit: 20,
      windowSeconds: 86400,
      countedBy: 'domain',
      unit: 'pending',
    },
    {
      name: 'upload-bytes',
      key: 'user',
      limit: 1_073_741_824,
      windowSeconds: 86400,
      countedBy: 'domain',
      unit: 'bytes',
    },
  ],
});

export const getMedia = /* @__PURE__ */ defineRoute({
  name: 'get-media',
  method: 'GET',
  path: '/media/{id}',
  auth: 'user',
  summary: 'The status of your upload: pending, ready or rejected',
  tag: 'Media',
  request: { params: mediaParamsSchema },
  response: { status: 200, schema: mediaSchema, description: 'The media' },
  errors: [404],
  access: { table: ['dynamodb:GetItem'] },
});
