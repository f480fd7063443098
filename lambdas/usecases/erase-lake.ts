import { type Column, CURATED_TABLES, curatedTables, type Row } from '../domain/lake/tables.ts';
import { ColumnBuffer, readParquet } from '../formats/parquet.ts';
import type { LakeErasure, ObjectVault } from '../ports/privacy.ts';

/** The lake's files that hold profile ids: the curated tables and segment membership (KPI tables are aggregates). */
const PREFIXES = ['curated/', 'segments/'] as const;
const ID_COLUMNS = ['profile_id', 'into_profile_id'] as const;

function columnsOf(key: string): readonly Column[] | undefined {
  if (key.startsWith('segments/')) return [{ name: 'profile_id', type: 'string' }];
  const table = CURATED_TABLES.find((t) => key.startsWith(curatedTables[t].prefix));
  return table ? curatedTables[table].columns : undefined;
}

/**
 * Removes an erased person's rows from the lake: every curated and segment file is checked on its id columns alone,
 * and a file holding one of the profile ids is rewritten without those rows (conditionally: a file the publisher
 * replaced meanwhile is read again), then its old versions are deleted.
 */
export async function eraseFromLake(vault: ObjectVault, bucket: string, requestId: string, profileIds: ReadonlySet<string>): Promise<LakeErasure> {
  let filesScanned = 0;
  let oldVersionsDeleted = 0;
  const filesRewritten: { key: string; rowsRemoved: number }[] = [];
  for (const prefix of PREFIXES) {
    for await (const { key } of vault.list(bucket, prefix)) {
      const columns = columnsOf(key);
      if (!key.endsWith('.parquet') || !columns) continue;
      filesScanned++;
      for (let attempt = 0; ; attempt++) {
        const obj = await vault.get(bucket, key);
        if (!obj) break;
        const idColumns = ID_COLUMNS.filter((c) => columns.some((col) => col.name === c));
        const ids = await readParquet(obj.bytes, [...idColumns]);
        const hit = (r: Row) => idColumns.some((c) => profileIds.has(String(r[c])));
        if (!ids.some(hit)) break;
        const rows = await readParquet(obj.bytes);
        const kept = new ColumnBuffer(columns);
        for (const r of rows) if (!hit(r)) kept.add(r);
        const result = await vault.replace(bucket, key, kept.toParquet(), obj, { 'cdp-erasure': requestId });
        if (result === 'changed') {
          if (attempt >= 3) throw new Error('A lake file kept changing while it was being rewritten');
          continue;
        }
        filesRewritten.push({ key, rowsRemoved: rows.length - kept.rows });
        oldVersionsDeleted += await vault.purgeOldVersions(bucket, key);
        break;
      }
    }
  }
  return { filesScanned, filesRewritten, oldVersionsDeleted };
}
