/**
 * The environment variable of a limit. Its own module, free of the configuration read at load (config.ts),
 * so tooling can set the variables before any function code reads them (bench/local-stack.ts).
 */

/** `send-message` -> `RATE_LIMIT_SEND_MESSAGE`. */
export const limitEnvironmentName = (name: string) =>
  `RATE_LIMIT_${name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
