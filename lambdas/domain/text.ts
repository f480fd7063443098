/** Folds text for comparison: lower case, accents dropped, anything but letters and digits as single spaces. */
export function foldText(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** Trimmed, inner whitespace as single spaces (a value as a person would type it); most values need neither, so test first. */
export function cleanText(raw: string): string {
  const t = raw.trim();
  return /\s\s|[\t\r\n]/.test(t) ? t.replace(/\s+/g, ' ') : t;
}

/**
 * A table's own entry for a key read from a file (a header, a cell): a plain object's inherited members (`constructor`,
 * `toString`, `__proto__`) are no entry of it.
 */
export const own = <T>(table: Readonly<Record<string, T>> | undefined, key: string): T | undefined => (table !== undefined && Object.hasOwn(table, key) ? table[key] : undefined);
