import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured logger per service (POWERTOOLS_SERVICE_NAME). Log ids and counts only: never payloads, values or
 * identifiers of people.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'cdp' });
