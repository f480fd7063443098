import { hash } from 'node:crypto';

/** Stable, short content hash (hex, 128 bits of SHA-256) of the given parts. */
export function stableHash(...parts: readonly string[]): string {
  return hash('sha256', parts.join('\u0000'), 'hex').slice(0, 32);
}

/** How logs name an uploaded object (its key may hold a person's name): the importer's and the resolver's lines agree. */
export const objectKeyHash = (objectKey: string): string => stableHash(objectKey).slice(0, 12);
