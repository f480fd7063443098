import { hash } from 'node:crypto';

/** Stable, short content hash (hex, 128 bits of SHA-256) of the given parts. */
export function stableHash(...parts: readonly string[]): string {
  return hash('sha256', parts.join('\u0000'), 'hex').slice(0, 32);
}

/**
 * Masks an identifier for logs and error messages: never the value, only its type and a short hash, so two log lines
 * about the same person can still be correlated.
 */
export function maskIdentifier(type: string, value: string): string {
  return `${type}#${stableHash('mask', value).slice(0, 10)}`;
}
