import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import identityJson from '../../config/identity.json' with { type: 'json' };
import { DynamoLakeSource } from '../adapters/dynamo-lake-source.ts';
import { S3LakeStore } from '../adapters/s3-lake-store.ts';
import { parseIdentityConfig } from '../domain/identity-config.ts';
import type { ScanPart } from '../ports/lake.ts';
import { requireEnv } from '../shared/env.ts';
import { serveThread } from '../shared/threads.ts';
import { writeCuratedPart } from '../usecases/publish-kpis.ts';

/**
 * A snapshot thread of the KPI publisher (bundled beside the handler as publish-kpis-part.mjs): its part of the
 * table scan, written to the lake with its own clients.
 */
serveThread(({ asOf, part }: { asOf: string; part: ScanPart }) => {
  const s3 = new S3Client({});
  return writeCuratedPart(
    {
      source: new DynamoLakeSource(new DynamoDBClient({}), requireEnv('TABLE_NAME'), s3, requireEnv('RAW_BUCKET')),
      lake: new S3LakeStore(s3, requireEnv('LAKE_BUCKET')),
      scoring: parseIdentityConfig(identityJson).leadScore,
    },
    asOf,
    part,
  );
});
