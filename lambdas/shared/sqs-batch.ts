import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { describeFailure } from '../domain/failures.ts';
import type { FailureLog } from '../ports/index.ts';
import { logger, withContext } from './logger.ts';

/**
 * An SQS-triggered handler: each message through `recordHandler`, failures reported per message (partial batch
 * response), and each failure's reason kept in the failure log, where `cdp dlq list` finds it if the message ends in
 * the dead-letter queue. Logs name the message and the error, never the body.
 */
export function sqsBatchHandler(
  queue: string,
  recordHandler: (message: SQSRecord, context: Context) => Promise<void>,
  failures: () => FailureLog,
  /** The ids that follow a message's items across stages (import, delivery, request), for its failure log line. */
  correlate: (message: SQSRecord) => Record<string, unknown> = () => ({}),
): (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse> {
  return withContext(async (event: SQSEvent, context: Context) => {
    // One processor per invocation: its state (records, failures) must never be shared by two batches, as it would
    // be by concurrent invocations in one process (the twin; Lambda's multi-concurrency runtimes).
    const processor = new BatchProcessor(EventType.SQS);
    try {
      return await processPartialResponse(event, (m: SQSRecord) => recordHandler(m, context), processor, { context });
    } finally {
      await noteFailures(queue, processor.failureMessages as SQSRecord[], processor.errors, context?.functionName ?? 'unknown', failures, correlate);
    }
  });
}

async function noteFailures(
  queue: string,
  messages: readonly SQSRecord[],
  errors: readonly Error[],
  fn: string,
  failures: () => FailureLog,
  correlate: (message: SQSRecord) => Record<string, unknown>,
): Promise<void> {
  await Promise.all(
    messages.map(async (message, i) => {
      const { error, detail } = describeFailure(errors[i]);
      const receiveCount = Number(message.attributes?.ApproximateReceiveCount ?? 1);
      let ids: Record<string, unknown> = {};
      try {
        ids = correlate(message);
      } catch {
        // An unreadable body has no ids to follow; its failure is logged all the same.
      }
      logger.warn('message failed', { messageId: message.messageId, error, detail, receiveCount, ...ids });
      try {
        await failures().note(queue, message.body, { error, detail, fn, receiveCount, at: new Date().toISOString() });
      } catch (e) {
        // The message is retried (or kept in the DLQ) all the same; only its reason is missing from `cdp dlq list`.
        logger.warn('failure note not written', { messageId: message.messageId, error: describeFailure(e).error });
      }
    }),
  );
}
