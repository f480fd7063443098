import { S3Client } from '@aws-sdk/client-s3';
import { S3LakeStore } from '../lambdas/adapters/s3-lake-store.ts';
import type { ScanPart } from '../lambdas/ports/lake.ts';
import { serveThread } from '../lambdas/shared/threads.ts';
import { writeCuratedPart } from '../lambdas/usecases/publish-kpis.ts';
import { SyntheticSource } from './synthetic-source.ts';

/** The kpi bench's snapshot thread: a part of the synthetic base into the twin's lake (LAKE_BUCKET, SDK env). */
serveThread(({ asOf, part }: { asOf: string; part: ScanPart }) =>
  writeCuratedPart({ source: new SyntheticSource(), lake: new S3LakeStore(new S3Client({}), process.env.LAKE_BUCKET!) }, asOf, part),
);
