import { Duration, Validations } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueueDefinition } from '../definitions.ts';

export interface SecureQueueProps {
  readonly definition: QueueDefinition;
  /** Key encrypting messages when the definition asks for KMS (they carry personal data). */
  readonly encryptionKey: IKey;
}

/**
 * A queue with its dead-letter queue, both KMS-encrypted and TLS-only, with the visibility timeout, retention and
 * redrive count of its definition.
 */
export class SecureQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: SecureQueueProps) {
    super(scope, id);
    const { definition, encryptionKey } = props;
    const encryption =
      definition.encryption === 'kms'
        ? { encryption: QueueEncryption.KMS, encryptionMasterKey: encryptionKey }
        : { encryption: QueueEncryption.SQS_MANAGED };
    this.deadLetterQueue = new Queue(this, 'Dlq', {
      ...encryption,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(definition.dlqRetentionSeconds),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This is the dead-letter queue itself; `cdp dlq redrive` moves its messages back.',
    });
    this.queue = new Queue(this, 'Queue', {
      ...encryption,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(definition.visibilityTimeoutSeconds),
      retentionPeriod: Duration.seconds(definition.retentionSeconds),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: definition.maxReceiveCount },
    });
  }
}
