import { foldText } from '../text.ts';

/**
 * What the suppression list holds of an erased person, and what a record is checked against it with.
 *
 * An identifier the person held alone is listed as it is: a record that carries it is theirs. A role address
 * (`info@studio.it`, `amministrazione@…`) is a business's: the erased person may have been the only one of its people
 * known when the erasure ran, but a colleague, or whoever takes the business over, writes from it later. Listed alone,
 * it dropped every later record of theirs, whatever their name. It is listed with the person's name instead (each
 * first and last name the profile kept), and with no name (`info@studio.it#`), so that a record from that address is
 * dropped when it names the erased person, or names nobody (a row of theirs with the name left blank cannot be told
 * from them), and is kept when it names someone else. A person erased with no full name has the address listed alone,
 * as before.
 */

/** A full name as the list keys an address with: its words folded and sorted (`Rossi Mario` and `MARIO ROSSI` alike). */
export function nameKey(firstName: string | undefined, lastName: string | undefined): string | undefined {
  if (!firstName?.trim() || !lastName?.trim()) return undefined;
  return foldText(`${firstName} ${lastName}`).split(' ').sort().join(' ');
}

/** An identifier key together with a name key (empty: no full name). */
const withName = (key: string, name: string): string => `${key}#${name}`;

/**
 * The keys a record is checked against the suppression list with: each identifier's, and each role address's together
 * with the record's full name (or with none, for a record that gives no full name). The identity configuration names
 * role addresses (`isRole`); where it is not at hand (an import, a webhook), every e-mail is checked both ways.
 */
export function suppressionCheckKeys(
  identifierKeys: readonly string[],
  person?: { readonly firstName?: string; readonly lastName?: string },
  isRole: (key: string) => boolean = (key) => key.startsWith('email:'),
): string[] {
  const name = nameKey(person?.firstName, person?.lastName) ?? '';
  const out = [...identifierKeys];
  for (const key of identifierKeys) if (isRole(key)) out.push(withName(key, name));
  return out;
}

/**
 * What the suppression list takes for an erased person's identifiers (see above): `isRole` tells a role address;
 * `names`, the name keys of the person's profiles.
 */
export function suppressionEntries(keys: readonly string[], names: ReadonlySet<string>, isRole: (key: string) => boolean): string[] {
  const out: string[] = [];
  for (const key of keys) {
    if (!isRole(key) || names.size === 0) out.push(key);
    else out.push(withName(key, ''), ...[...names].map((n) => withName(key, n)));
  }
  return out;
}

/** The name keys of a profile's first and last names, every pairing of the values it kept. */
export function profileNameKeys(values: Readonly<Record<string, readonly { readonly v: string }[]>>): Set<string> {
  const out = new Set<string>();
  for (const first of values.firstName ?? []) {
    for (const last of values.lastName ?? []) {
      const key = nameKey(first.v, last.v);
      if (key) out.add(key);
    }
  }
  return out;
}
