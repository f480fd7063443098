import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, type IBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { BucketDefinition } from '../definitions.ts';

export interface SecureBucketProps {
  readonly definition: BucketDefinition;
  /** Key that encrypts every object. */
  readonly encryptionKey: IKey;
  /** Bucket receiving server access logs. */
  readonly accessLogs: IBucket;
  /**
   * What happens to the bucket when the stack is deleted.
   * @default RemovalPolicy.RETAIN - customer data outlives a mistaken `cdk destroy`
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A bucket with the product's secure defaults: public access blocked, TLS only, KMS encryption with a bucket key,
 * owner-enforced objects, server access logs, and the lifecycle of its definition (expiry of current objects and of
 * non-current versions, so an erasure reaches old versions at the latest after that many days).
 */
export class SecureBucket extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    const { definition } = props;
    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      encryption: BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: definition.versioned,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: `${id.toLowerCase()}/`,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'expiry',
          abortIncompleteMultipartUploadAfter: Duration.days(1),
          ...(definition.expireAfterDays ? { expiration: Duration.days(definition.expireAfterDays) } : {}),
          ...(definition.noncurrentExpireAfterDays
            ? { noncurrentVersionExpiration: Duration.days(definition.noncurrentExpireAfterDays) }
            : {}),
        },
        ...(definition.expirePrefixes ?? []).map((e) => ({ id: `expire-${e.prefix.replace(/[^a-z0-9]+/gi, '-')}`, prefix: e.prefix, expiration: Duration.days(e.days) })),
      ],
    });
  }
}
