import type { FileFormat } from './types.ts';

/** Container and format from the first bytes and the object key (magic numbers win over extensions). */
export function sniff(head: Uint8Array, key: string): { gzip: boolean; format: FileFormat | undefined } {
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  const name = key.toLowerCase().replace(/\.gz$/, '');
  if (!gzip && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return { gzip, format: 'xlsx' };
  if (gzip) return { gzip, format: byExtension(name) };
  return { gzip, format: byExtension(name) ?? byContent(head) };
}

function byExtension(name: string): FileFormat | undefined {
  if (/\.(ndjson|jsonl)$/.test(name)) return 'ndjson';
  if (name.endsWith('.json')) return 'json';
  if (name.endsWith('.xlsx')) return 'xlsx';
  if (/\.(csv|txt|tsv)$/.test(name)) return 'csv';
  return undefined;
}

/** JSON starts with `[` (an array) or `{` (NDJSON when a second line starts with `{` too). */
export function byContent(head: Uint8Array): FileFormat {
  let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09)) i++;
  if (head[i] === 0x5b) return 'json';
  if (head[i] === 0x7b) {
    const text = new TextDecoder().decode(head.subarray(i, Math.min(head.length, i + 65536)));
    const lines = text.split('\n').filter((l) => l.trim());
    return lines.length > 1 && lines[1]!.trim().startsWith('{') ? 'ndjson' : 'json';
  }
  return 'csv';
}
