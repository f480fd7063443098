import { hash } from 'node:crypto';

/** Stable, short content hash (hex, 128 bits of SHA-256) of the given parts. */
export function stableHash(...parts: readonly string[]): string {
  return hash('sha256', parts.join('\u0000'), 'hex').slice(0, 32);
}
