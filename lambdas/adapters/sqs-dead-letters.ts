import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { CanonicalRecord } from '../domain/canonical.ts';
import type { DeadLetterRecords } from '../ports/privacy.ts';
import { decodeRecords, encodeRecords } from './records-codec.ts';
import { MAX_MESSAGE_BYTES } from './sqs-record-queue.ts';

/**
 * The records queue's dead-letter queue, read through: every message is received (and held for `holdSeconds`, the
 * worker's run at most), a message with records to drop is deleted and its other records sent again as a new
 * message, and the messages left alone are made visible again at the end, for a redrive or `cdp dlq list`. A message
 * seen twice (its hold ran out) ends the pass. A message sent again has no failure note of its own any more.
 */
export class SqsDeadLetterRecords implements DeadLetterRecords {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly holdSeconds = 900,
  ) {}

  async scrub(drop: (record: CanonicalRecord) => boolean): Promise<{ messagesScanned: number; recordsRemoved: number }> {
    const seen = new Set<string>();
    const resent = new Set<string>();
    const left: Message[] = [];
    let recordsRemoved = 0;
    for (let done = false; !done; ) {
      const { Messages: messages = [] } = await this.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: this.queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: this.holdSeconds, WaitTimeSeconds: 1 }),
      );
      if (messages.length === 0) break;
      for (const m of messages) {
        const id = m.MessageId ?? '';
        if (resent.has(id)) {
          left.push(m);
          continue;
        }
        if (seen.has(id)) {
          done = true;
          left.push(m);
          continue;
        }
        seen.add(id);
        const records = recordsOf(m.Body) ?? [];
        const kept = records.filter((r) => !drop(r));
        if (kept.length === records.length) {
          left.push(m);
          continue;
        }
        for (const body of encodeRecords(kept, MAX_MESSAGE_BYTES)) {
          const sent = await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: body }));
          if (sent.MessageId) resent.add(sent.MessageId);
        }
        await this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: m.ReceiptHandle }));
        recordsRemoved += records.length - kept.length;
      }
    }
    await this.release(left);
    return { messagesScanned: seen.size, recordsRemoved };
  }

  /** The messages left alone are due again at once (a hold that ran out already is no error). */
  private async release(messages: readonly Message[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 10) {
      const entries = messages.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }));
      await this.sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }));
    }
  }
}

/** A message's records; none for a body that is not a records message. */
function recordsOf(body: string | undefined): CanonicalRecord[] | undefined {
  try {
    return decodeRecords(body ?? '');
  } catch {
    return undefined;
  }
}
