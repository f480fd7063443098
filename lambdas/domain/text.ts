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
