import type { Context } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured logger per service (POWERTOOLS_SERVICE_NAME). Log ids and counts only: never payloads, values or
 * identifiers of people.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'cdp' });

/**
 * Wraps a handler so every log line of an invocation carries its Lambda request id, function name and cold start:
 * the correlation id to search a log group by (besides the import, delivery or request id a line names).
 */
export function withContext<E, R>(handler: (event: E, context: Context) => Promise<R>): (event: E, context?: Context) => Promise<R> {
  return (event, context) => {
    if (context?.awsRequestId) logger.addContext(context);
    return handler(event, context as Context);
  };
}
