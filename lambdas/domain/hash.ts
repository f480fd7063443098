import { createHash } from 'node:crypto';

/** Stable, short content hash (hex) of the given parts. */
export function stableHash(...parts: readonly string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\u0000');
  return h.digest('hex').slice(0, 32);
}

/**
 * Masks an identifier for logs and error messages: never the value, only its type and a short hash, so two log lines
 * about the same person can still be correlated.
 */
export function maskIdentifier(type: string, value: string): string {
  return `${type}#${stableHash('mask', value).slice(0, 10)}`;
}
