import { createHmac } from 'node:crypto';

/** Salted hash of an identifier key (`email:mario@rossi.it`): the suppression list's and the request log's form. */
export function suppressionHash(salt: string, identifierKey: string): string {
  return createHmac('sha256', salt).update(identifierKey).digest('hex').slice(0, 40);
}
