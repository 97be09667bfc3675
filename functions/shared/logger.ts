/**
 * The one structured logger: one JSON object per line on stdout, with the fields Powertools Logger wrote
 * (`level`, `message`, `timestamp`, `service`, `cold_start`, `function_name`, `function_request_id`,
 * `xray_trace_id`) and the caller's own. A few hundred bytes instead of Powertools' ~20 KB in every bundle.
 *
 * The level comes from POWERTOOLS_LOG_LEVEL (the stack sets it), else LOG_LEVEL, else Lambda's
 * AWS_LAMBDA_LOG_LEVEL, else INFO; SILENT writes nothing (tests). Never give it request bodies, headers or
 * tokens.
 */
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';

const LEVELS = { DEBUG: 8, INFO: 12, WARN: 16, ERROR: 20, CRITICAL: 24, SILENT: 28 } as const;
export type LogLevel = keyof typeof LEVELS;
type Fields = Record<string, unknown>;

function levelFromEnvironment(env: NodeJS.ProcessEnv): LogLevel {
  const configured = (
    env.POWERTOOLS_LOG_LEVEL ??
    env.LOG_LEVEL ??
    env.AWS_LAMBDA_LOG_LEVEL ??
    'INFO'
  ).toUpperCase();
  if (configured === 'TRACE') return 'DEBUG';
  if (configured === 'FATAL') return 'CRITICAL';
  return configured in LEVELS ? (configured as LogLevel) : 'INFO';
}

/** Errors become `{name, message, stack}` (JSON.stringify would write `{}`). */
const serializable = (_key: string, value: unknown) =>
  value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;

export class Logger {
  readonly level: LogLevel;
  private context: Fields = {};
  private invoked = false;

  constructor(
    private readonly service: string,
    env: NodeJS.ProcessEnv = process.env,
    private readonly write: (line: string) => void = (line) => process.stdout.write(line),
  ) {
    this.level = levelFromEnvironment(env);
  }

  debug(message: string, fields?: Fields) {
    this.log('DEBUG', message, fields);
  }

  info(message: string, fields?: Fields) {
    this.log('INFO', message, fields);
  }

  warn(message: string, fields?: Fields) {
    this.log('WARN', message, fields);
  }

  /** `error` may be the Error itself: it is logged as the `error` field. */
  error(message: string, fields?: Fields | Error) {
    this.log('ERROR', message, fields instanceof Error ? { error: fields } : fields);
  }

  /** The invocation's Lambda context, added to every line until the next invocation. */
  addContext(context: Context) {
    this.context = {
      cold_start: !this.invoked,
      function_name: context.functionName,
      function_request_id: context.awsRequestId,
    };
    this.invoked = true;
  }

  private log(level: LogLevel, message: string, fields: Fields = {}) {
    if (LEVELS[level] < LEVELS[this.level]) return;
    const traceId = /Root=([^;]+)/.exec(process.env._X_AMZN_TRACE_ID ?? '')?.[1];
    const entry = {
      level,
      message,
      timestamp: new Date().toISOString(),
      service: this.service,
      ...this.context,
      ...(traceId ? { xray_trace_id: traceId } : {}),
      ...fields,
    };
    let line: string;
    try {
      line = JSON.stringify(entry, serializable);
    } catch {
      // A circular or otherwise unserializable field must not turn logging into a failure.
      line = JSON.stringify({
        ...entry,
        ...Object.fromEntries(Object.keys(fields).map((key) => [key, '[unserializable]'])),
      });
    }
    this.write(`${line}\n`);
  }
}

export const logger = new Logger(process.env.POWERTOOLS_SERVICE_NAME ?? 'chat-api');

/** middy middleware: gives the logger each invocation's Lambda context (cold start, request id). */
export const injectLambdaContext = (
  target: Logger = logger,
): MiddlewareObj<unknown, unknown, Error, Context> => ({
  before: (request) => {
    target.addContext(request.context);
  },
});
