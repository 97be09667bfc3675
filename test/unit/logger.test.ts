import { describe, expect, it } from 'vitest';
import { Logger } from '../../functions/shared/logger';
import { lambdaContext } from '../support/events';

/** A logger writing into an array, with the given environment. */
function capture(env: NodeJS.ProcessEnv = {}) {
  const lines: string[] = [];
  const logger = new Logger('chat-api', env, (line) => lines.push(line));
  const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, entries };
}

describe('logger', () => {
  it('writes one JSON object per line with level, message, timestamp, service and the given fields', () => {
    const { logger, lines, entries } = capture();

    logger.info('request', { route: 'GET /health', status: 200 });

    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith('\n')).toBe(true);
    expect(entries()[0]).toEqual({
      level: 'INFO',
      message: 'request',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      service: 'chat-api',
      route: 'GET /health',
      status: 200,
    });
  });

  it('adds the invocation context, with cold_start true only on the first invocation', () => {
    const { logger, entries } = capture();

    logger.addContext(lambdaContext);
    logger.info('first');
    logger.addContext({ ...lambdaContext, awsRequestId: 'second-request' });
    logger.info('second');

    expect(entries()).toMatchObject([
      { cold_start: true, function_name: 'test', function_request_id: 'test-request' },
      { cold_start: false, function_request_id: 'second-request' },
    ]);
  });

  it.each([
    ['INFO', ['INFO', 'WARN', 'ERROR']],
    ['WARN', ['WARN', 'ERROR']],
    ['DEBUG', ['DEBUG', 'INFO', 'WARN', 'ERROR']],
    ['SILENT', []],
  ])('at POWERTOOLS_LOG_LEVEL=%s writes only lines at that level or above', (level, written) => {
    const { logger, entries } = capture({ POWERTOOLS_LOG_LEVEL: level });

    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');

    expect(entries().map((entry) => entry.level)).toEqual(written);
  });

  it('reads LOG_LEVEL, then Lambda’s AWS_LAMBDA_LOG_LEVEL, when POWERTOOLS_LOG_LEVEL is not set', () => {
    expect(capture({ LOG_LEVEL: 'error' }).logger.level).toBe('ERROR');
    expect(capture({ AWS_LAMBDA_LOG_LEVEL: 'WARN' }).logger.level).toBe('WARN');
    expect(capture({ POWERTOOLS_LOG_LEVEL: 'DEBUG', LOG_LEVEL: 'ERROR' }).logger.level).toBe('DEBUG');
    expect(capture({}).logger.level).toBe('INFO');
  });

  it('logs an Error with its name, message and stack instead of an empty object', () => {
    const { logger, entries } = capture();

    logger.error('Unhandled error', new TypeError('boom'));
    logger.warn('post failed', { connectionId: 'c1', error: new RangeError('gone') });

    expect(entries()[0]?.error).toMatchObject({
      name: 'TypeError',
      message: 'boom',
      stack: expect.any(String),
    });
    expect(entries()[1]?.error).toMatchObject({ name: 'RangeError', message: 'gone' });
  });

  it('still writes a line when a field cannot be serialized', () => {
    const { logger, entries } = capture();
    const circular: Record<string, unknown> = {};
    circular.self = circular;

    logger.info('odd', { circular });

    expect(entries()[0]).toMatchObject({ message: 'odd', circular: '[unserializable]' });
  });

  it('adds the X-Ray trace id of the invocation when Lambda sets one', () => {
    const { logger, entries } = capture();
    const previous = process.env._X_AMZN_TRACE_ID;
    process.env._X_AMZN_TRACE_ID =
      'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    try {
      logger.info('traced');
    } finally {
      if (previous === undefined) delete process.env._X_AMZN_TRACE_ID;
      else process.env._X_AMZN_TRACE_ID = previous;
    }

    expect(entries()[0]?.xray_trace_id).toBe('1-5759e988-bd862e3fe1be46a994272793');
  });
});
