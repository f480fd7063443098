/** String similarity and name keys for matching people (pure; no I/O). */
import { shareGivenName } from './nicknames.ts';
import { foldText } from './text.ts';

/** Lower case, no accents, letters and digits only, single spaces. */
export const foldName = foldText;

/** Jaro-Winkler similarity in [0, 1] (prefix scale 0.1, up to 4 characters). */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return a.length === 0 ? 0 : 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(la, lb) / 2) - 1);
  const matchedA = new Uint8Array(la);
  const matchedB = new Uint8Array(lb);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(lb - 1, i + window);
    for (let j = lo; j <= hi; j++) {
      if (matchedB[j] || a[i] !== b[j]) continue;
      matchedA[i] = 1;
      matchedB[j] = 1;
      matches++;
      break;
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (!matchedA[i]) continue;
    while (!matchedB[k]) k++;
    if (a[i] !== b[k]) transpositions++;
    k++;
  }
  const jaro = (matches / la + matches / lb + (matches - transpositions / 2) / matches) / 3;
  let prefix = 0;
  while (prefix < 4 && prefix < la && prefix < lb && a[prefix] === b[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

/** `Mario`/`Maria`, `Giulio`/`Giulia`, `Paolo`/`Paola`: one letter apart, but two people (brother and sister). */
export function genderPair(a: string, b: string): boolean {
  if (a.length !== b.length || a.length < 3 || a.slice(0, -1) !== b.slice(0, -1)) return false;
  const ends = `${a.at(-1)}${b.at(-1)}`;
  return ends === 'oa' || ends === 'ao' || ends === 'ea' || ends === 'ae';
}

/**
 * Whether two first names can belong to one person: equal, an initial of the other (`M.` and `Mario`), one a token of
 * the other (`Anna` and `Anna Maria`), a short form (`Bill` and `William`, `Beppe` and `Giuseppe`), or a near spelling (Jaro-Winkler ≥ 0.88: `Nicolo`/`Niccolò`) that is not a
 * masculine/feminine pair (`Mario`/`Maria`).
 */
export function compatibleFirstNames(a: string, b: string): boolean {
  const fa = foldName(a);
  const fb = foldName(b);
  if (!fa || !fb || fa === fb) return true;
  const ta = fa.split(' ');
  const tb = fb.split(' ');
  if (ta.some((t) => tb.includes(t))) return true;
  const initial = (t: string[], other: string) => t.length === 1 && t[0]!.length === 1 && other.startsWith(t[0]!);
  if (initial(ta, fb) || initial(tb, fa)) return true;
  if (shareGivenName(fa, fb)) return true;
  if (genderPair(fa, fb)) return false;
  return jaroWinkler(fa, fb) >= 0.88;
}

/** Whether two surnames can belong to one person (`De Luca`/`Deluca`, `Rossi`/`Rosi`, `Alan`/`Allen`). */
export function compatibleLastNames(a: string, b: string): boolean {
  const fa = foldName(a).replace(/ /g, '');
  const fb = foldName(b).replace(/ /g, '');
  if (!fa || !fb || fa === fb) return true;
  return jaroWinkler(fa, fb) >= 0.85;
}

/**
 * Whether two birth dates (yyyy-MM-dd) can be one, mistyped: equal, day and month swapped, or one of year, month and
 * day off by a single digit (`1971-06-24`/`1971-05-24`).
 */
export function compatibleBirthDates(a: string, b: string): boolean {
  if (a === b) return true;
  const [ya, ma, da] = a.split('-');
  const [yb, mb, db] = b.split('-');
  if (ya === yb && ma === db && da === mb) return true;
  const oneDigit = (x: string, y: string) => x.length === y.length && [...x].filter((c, i) => c !== y[i]).length === 1;
  const same = [ya === yb, ma === mb, da === db];
  const differing = same.filter((s) => !s).length;
  if (differing !== 1) return false;
  if (!same[0]) return oneDigit(ya!, yb!);
  if (!same[1]) return oneDigit(ma!, mb!);
  return oneDigit(da!, db!);
}
