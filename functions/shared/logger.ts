/** The one structured logger. Level from POWERTOOLS_LOG_LEVEL; never given request bodies or headers. */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: 'chat-api' });
