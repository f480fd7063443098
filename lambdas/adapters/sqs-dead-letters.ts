import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { CanonicalRecord } from '../domain/canonical.ts';
import type { FailureNote } from '../domain/failures.ts';
import type { FailureNotes } from '../ports/index.ts';
import type { DeadLetterRecords } from '../ports/privacy.ts';
import { decodeRecords, encodeRecords } from './records-codec.ts';
import { MAX_MESSAGE_BYTES } from './sqs-record-queue.ts';

/**
 * The records queue's dead-letter queue, read through: every message is received (and held for `holdSeconds`, the
 * worker's run at most), a message with records to drop is deleted and its other records sent again as a new
 * message, and the messages left alone are made visible again at the end, for a redrive or `cdp dlq list`. A message
 * seen twice (its hold ran out) ends the pass. A message sent again keeps its failure note (why the resolver failed
 * it, which `cdp dlq list` shows), as the note is filed under the message's body: it is filed under the new body too.
 */
export class SqsDeadLetterRecords implements DeadLetterRecords {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly holdSeconds = 900,
    /** The failure log, to carry a message's note to the message sent in its place. */
    private readonly notes?: FailureNotes,
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
        const note = m.Body && this.notes ? await this.noteOf(m.Body) : undefined;
        for (const body of encodeRecords(kept, MAX_MESSAGE_BYTES)) {
          if (note) await this.notes!.note(NOTED_QUEUE, body, note).catch(() => undefined);
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

  /** A message's failure note; none where it has none or the log cannot be read (the scrub goes on without it). */
  private async noteOf(body: string): Promise<FailureNote | undefined> {
    try {
      return (await this.notes!.read(NOTED_QUEUE, [body])).get(body);
    } catch {
      return undefined;
    }
  }

  /** The messages left alone are due again at once (a hold that ran out already is no error). */
  private async release(messages: readonly Message[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 10) {
      const entries = messages.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }));
      await this.sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }));
    }
  }
}

/** The queue the resolver notes its failures under (sqsBatchHandler's name for the records queue). */
const NOTED_QUEUE = 'records';

/** A message's records; none for a body that is not a records message. */
function recordsOf(body: string | undefined): CanonicalRecord[] | undefined {
  try {
    return decodeRecords(body ?? '');
  } catch {
    return undefined;
  }
}
