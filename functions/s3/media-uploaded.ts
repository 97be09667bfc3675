/**
 * S3 ObjectCreated events for the quarantine prefix (`uploads/`) of the media bucket: each new object is
 * checked against what its uploader declared and either written to its served key (ready) or rejected, and
 * the quarantined object deleted (see domain/upload-check.ts). A failing record fails the invocation, so S3's
 * asynchronous invocation retries it; the check is idempotent.
 */
import type { S3Event } from 'aws-lambda';
import { processUpload } from '../shared/domain/upload-check';
import { logger } from '../shared/logger';
import { metrics, useMetricsSink } from '../shared/metrics';
import { powertoolsSink } from '../shared/metrics/powertools';

useMetricsSink(powertoolsSink());

export const handler = async (event: S3Event): Promise<void> => {
  try {
    for (const record of event.Records) {
      // Keys in S3 events are URL-encoded, with '+' for spaces.
      const key = decodeURIComponent(record.s3.object.key.replaceAll('+', ' '));
      const outcome = await processUpload(key);
      logger.info('upload processed', { key, outcome });
      if (outcome === 'ready') metrics.count('UploadChecksPassed');
      if (outcome === 'rejected') metrics.count('UploadChecksRejected');
    }
  } finally {
    metrics.flush();
  }
};
