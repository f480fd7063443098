import { endsTitleSearch, titleLineCount } from '../domain/dialect.ts';
import type { SourceRow } from './types.ts';

export type MaybeTitle<R> = R & { readonly title?: true };

/**
 * A file's rows in the batches they were read in, the rows of a title above its header (titleLineCount) marked
 * `title`. Only the first rows are held back, until a row of columns (or a row that could not be read) ends the search.
 */
export async function* markTitleLines<R extends SourceRow>(batches: AsyncIterable<readonly R[]> | Iterable<readonly R[]>): AsyncGenerator<readonly MaybeTitle<R>[]> {
  let lead: R[] | undefined = [];
  const decide = (held: readonly R[]): MaybeTitle<R>[] => {
    const titles = titleLineCount(held.map((r) => r.cells));
    return held.map((r, i) => (i < titles ? { ...r, title: true as const } : r));
  };
  for await (const rows of batches) {
    if (!lead) {
      yield rows;
      continue;
    }
    const end = rows.findIndex((row, i) => row.error !== undefined || endsTitleSearch(row.cells, lead!.length + i + 1));
    if (end < 0) {
      lead.push(...rows);
      continue;
    }
    const held = decide([...lead, ...rows.slice(0, end + 1)]);
    lead = undefined;
    yield [...held, ...rows.slice(end + 1)];
  }
  if (lead && lead.length > 0) yield decide(lead);
}

/**
 * The rows above the header a mapping places (`format.headerLine`) marked `title`, whatever they hold: a title no
 * rule tells from a header (two cells filled: `Elenco clienti;al 31/12/2025`).
 */
export async function* markLinesBefore<R extends SourceRow>(batches: AsyncIterable<readonly R[]> | Iterable<readonly R[]>, headerLine: number): AsyncGenerator<readonly MaybeTitle<R>[]> {
  for await (const rows of batches) yield rows[0] && rows[0].line < headerLine ? rows.map((r) => (r.line < headerLine ? { ...r, title: true as const } : r)) : rows;
}

/**
 * The same, row by row (the privacy paths that read a file back): the title above the header its mapping places, or
 * as titleLineCount finds it.
 */
export async function* markTitles<R extends SourceRow>(rows: AsyncIterable<R> | Iterable<R>, headerLine: number | undefined): AsyncGenerator<MaybeTitle<R>> {
  async function* single() {
    for await (const row of rows) yield [row];
  }
  for await (const batch of headerLine === undefined ? markTitleLines(single()) : markLinesBefore(single(), headerLine)) yield* batch;
}
