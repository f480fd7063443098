import * as path from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import identityJson from '../config/identity.json' with { type: 'json' };
import { DynamoLakeSource } from '../lambdas/adapters/dynamo-lake-source.ts';
import { loadKpiFiles, repositoryKpiFiles } from '../lambdas/adapters/kpi-files.ts';
import { S3LakeStore } from '../lambdas/adapters/s3-lake-store.ts';
import { parseIdentityConfig } from '../lambdas/domain/identity-config.ts';
import { publishKpis, type PublishReport } from '../lambdas/usecases/publish-kpis.ts';
import { DuckLakeEngine } from './engines/duckdb.ts';

export interface LakeTarget {
  readonly dynamodb: DynamoDBClient;
  readonly s3: S3Client;
  readonly tableName: string;
  readonly buckets: { readonly raw: string; readonly lake: string };
}

/**
 * The publisher as the twin runs it: the same use case and adapters as the Lambda, with DuckDB (over a mirror of the
 * lake's files under CDP_HOME/lake) in Athena's place.
 */
export async function publishLocally(target: LakeTarget, home: string, snapshotDate?: string): Promise<PublishReport> {
  const lake = new S3LakeStore(target.s3, target.buckets.lake);
  const engine = new DuckLakeEngine(lake, path.join(home, 'lake'));
  try {
    return await publishKpis(
      {
        source: new DynamoLakeSource(target.dynamodb, target.tableName, target.s3, target.buckets.raw),
        lake,
        engine,
        ...loadKpiFiles(repositoryKpiFiles()),
        scoring: parseIdentityConfig(identityJson).leadScore,
        now: () => new Date(),
      },
      snapshotDate,
    );
  } finally {
    await engine.stop();
  }
}
