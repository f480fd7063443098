import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AthenaEngine } from '../../lambdas/adapters/athena-engine.ts';

const athena = mockClient(AthenaClient);

describe('AthenaEngine (the publisher in AWS)', () => {
  beforeEach(() => athena.reset());

  it('runs in the stack workgroup and database, waits, and reads every page (the header row once)', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q1' });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    const meta = { ColumnInfo: [{ Name: 'province', Type: 'varchar' }, { Name: 'profiles', Type: 'bigint' }] };
    athena
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q1' })
      .resolvesOnce({ ResultSet: { ResultSetMetadata: meta, Rows: [{ Data: [{ VarCharValue: 'province' }, { VarCharValue: 'profiles' }] }, { Data: [{ VarCharValue: 'MI' }, { VarCharValue: '2' }] }] }, NextToken: 't' })
      .resolvesOnce({ ResultSet: { ResultSetMetadata: meta, Rows: [{ Data: [{}, { VarCharValue: '1' }] }] } });
    const rows = await new AthenaEngine(new AthenaClient({}), 'cdp-kpi', 'cdp_kpi', 1).query('SELECT 1');
    expect(rows).toEqual([{ province: 'MI', profiles: '2' }, { province: null, profiles: '1' }]);
    expect(athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input).toMatchObject({ WorkGroup: 'cdp-kpi', QueryExecutionContext: { Database: 'cdp_kpi' } });
  });

  it('reports a failed query with Athena reason', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q2' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'FAILED', StateChangeReason: 'Bytes scanned limit was exceeded' } } });
    await expect(new AthenaEngine(new AthenaClient({}), 'w', 'd', 1).query('SELECT 1')).rejects.toThrow(/q2 FAILED: Bytes scanned limit/);
  });
});
