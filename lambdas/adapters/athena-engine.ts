import {
  type AthenaClient,
  GetQueryExecutionCommand,
  type GetQueryResultsCommandOutput,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import type { SqlEngine } from '../ports/lake.ts';

/** Athena in the stack's workgroup (which enforces its encrypted result location and bytes-scanned limit). */
export class AthenaEngine implements SqlEngine {
  /** KPIs start together: each query spends most of its time queued and starting, not scanning. */
  readonly concurrency = 4;

  constructor(
    private readonly athena: AthenaClient,
    private readonly workGroup: string,
    private readonly database: string,
    private readonly pollMs = 500,
  ) {}

  async refresh(): Promise<void> {
    // Partition projection: new partitions are visible at once, no MSCK REPAIR or crawler.
  }

  async query(sql: string): Promise<Record<string, unknown>[]> {
    const started = await this.athena.send(
      new StartQueryExecutionCommand({ QueryString: sql, WorkGroup: this.workGroup, QueryExecutionContext: { Database: this.database } }),
    );
    const id = started.QueryExecutionId!;
    for (let wait = this.pollMs; ; wait = Math.min(wait * 2, 5000)) {
      const res = await this.athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
      const state = res.QueryExecution?.Status?.State;
      if (state === 'SUCCEEDED') break;
      if (state === 'FAILED' || state === 'CANCELLED') throw new Error(`Athena query ${id} ${state}: ${res.QueryExecution?.Status?.StateChangeReason ?? 'no reason given'}`);
      await new Promise((r) => setTimeout(r, wait));
    }
    const rows: Record<string, unknown>[] = [];
    let header: string[] | undefined;
    let token: string | undefined;
    do {
      const page: GetQueryResultsCommandOutput = await this.athena.send(new GetQueryResultsCommand({ QueryExecutionId: id, ...(token ? { NextToken: token } : {}) }));
      const columns = page.ResultSet?.ResultSetMetadata?.ColumnInfo?.map((c) => c.Name ?? '') ?? [];
      for (const r of page.ResultSet?.Rows ?? []) {
        const values = (r.Data ?? []).map((d) => d.VarCharValue ?? null);
        // The first row of the first page repeats the column names.
        if (!header) {
          header = columns;
          continue;
        }
        rows.push(Object.fromEntries(header.map((name, i) => [name, values[i] ?? null])));
      }
      token = page.NextToken;
    } while (token);
    return rows;
  }
}
