import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { CanonicalRecord } from '../domain/canonical.ts';
import type { ContinuationQueue, RecordQueue } from '../ports/index.ts';
import { encodeRecords } from './records-codec.ts';

/** SQS: at most 10 entries and 256 KiB per SendMessageBatch request (and per message). */
const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 250 * 1024;
/** Records per message are packed up to this size: cheap (SQS bills per 64 KiB) and a fair unit of retry. */
export const MAX_MESSAGE_BYTES = 24 * 1024;
const MAX_ATTEMPTS = 5;

/** Packs records into messages of up to 24 KiB, ten messages per request. */
export class SqsRecordQueue implements RecordQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(records: readonly CanonicalRecord[]): Promise<void> {
    const messages = encodeRecords(records, MAX_MESSAGE_BYTES);
    const requests: Promise<void>[] = [];
    let entries: SendMessageBatchRequestEntry[] = [];
    let bytes = 0;
    for (const body of messages) {
      const len = Buffer.byteLength(body);
      if (entries.length === MAX_ENTRIES || (entries.length > 0 && bytes + len > MAX_REQUEST_BYTES)) {
        requests.push(this.sendBatch(entries));
        entries = [];
        bytes = 0;
      }
      entries.push({ Id: String(entries.length), MessageBody: body });
      bytes += len;
    }
    if (entries.length > 0) requests.push(this.sendBatch(entries));
    await Promise.all(requests);
  }

  private async sendBatch(entries: SendMessageBatchRequestEntry[]): Promise<void> {
    let remaining = entries;
    for (let attempt = 1; remaining.length > 0; attempt++) {
      const res = await this.sqs.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: remaining }));
      const failed = new Set((res.Failed ?? []).map((f) => f.Id));
      remaining = remaining.filter((e) => failed.has(e.Id));
      if (remaining.length > 0 && attempt >= MAX_ATTEMPTS) {
        throw new Error(`SQS refused ${remaining.length} message(s) after ${attempt} attempts`);
      }
    }
  }
}

/** Continuations of long imports go back on the file-events queue, next to the S3 notifications. */
export class SqsContinuationQueue implements ContinuationQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async schedule(checkpoint: unknown): Promise<void> {
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify({ cdpImportContinuation: checkpoint }) }));
  }
}
