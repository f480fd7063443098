import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { PrivacyWork, WorkQueue } from '../ports/privacy.ts';

/** Work orders on the DSR queue (KMS-encrypted; the only place the plain identifiers travel). */
export class SqsWorkQueue implements WorkQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(message: PrivacyWork, options: { delaySeconds?: number } = {}): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify({ cdpPrivacyWork: message }),
        ...(options.delaySeconds ? { DelaySeconds: Math.min(900, Math.max(0, Math.ceil(options.delaySeconds))) } : {}),
      }),
    );
  }
}
