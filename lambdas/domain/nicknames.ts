/**
 * Given names and the short forms people go by (pure data; no I/O). `Bill` and `William`, `Peggy` and `Margaret`,
 * `Beppe` and `Giuseppe`, `Gigi` and `Luigi` share no letters a string distance would see, but are one person's names.
 *
 * Each group is one formal name (first) and its common short forms, folded (lower case, no accents). A short form may
 * belong to several names (`Nino`: Giovanni and Antonio); two formal names are never equivalent through it.
 */
const GROUPS: readonly (readonly string[])[] = [
  // English
  ['william', 'will', 'willie', 'willy', 'bill', 'billy', 'wm'],
  ['robert', 'rob', 'robbie', 'bob', 'bobby', 'bert'],
  ['richard', 'rick', 'ricky', 'dick', 'rich', 'richie'],
  ['thomas', 'tom', 'tommy', 'thom'],
  ['james', 'jim', 'jimmy', 'jamie', 'jas'],
  ['john', 'jack', 'johnny', 'jon'],
  ['jonathan', 'jon', 'jonny'],
  ['charles', 'charlie', 'chas', 'chuck'],
  ['edward', 'ed', 'eddie', 'ted', 'teddy', 'ned'],
  ['henry', 'harry', 'hal', 'hank'],
  ['harold', 'harry', 'hal'],
  ['elizabeth', 'liz', 'lizzie', 'beth', 'betty', 'bess', 'bessie', 'eliza', 'libby', 'elsie'],
  ['margaret', 'maggie', 'meg', 'madge', 'peggy', 'greta', 'marguerite'],
  ['mary', 'polly', 'molly', 'mae', 'mamie'],
  ['catherine', 'kate', 'kathy', 'katie', 'kitty', 'cathy', 'cath'],
  ['katherine', 'kate', 'kathy', 'katie', 'kitty', 'kath'],
  ['alexander', 'alex', 'alec', 'sandy'],
  ['frederick', 'fred', 'freddie', 'freddy', 'fritz'],
  ['francis', 'frank', 'frankie'],
  ['frances', 'fanny', 'fran', 'frankie'],
  ['joseph', 'joe', 'joey'],
  ['samuel', 'sam', 'sammy'],
  ['benjamin', 'ben', 'benny'],
  ['daniel', 'dan', 'danny'],
  ['david', 'dave', 'davy'],
  ['michael', 'mike', 'mikey', 'mick', 'mickey'],
  ['nicholas', 'nick', 'nicky'],
  ['anthony', 'tony'],
  ['andrew', 'andy', 'drew'],
  ['arthur', 'art', 'artie'],
  ['albert', 'al', 'bert', 'bertie'],
  ['alfred', 'alf', 'alfie', 'fred'],
  ['archibald', 'archie'],
  ['ernest', 'ernie'],
  ['walter', 'walt', 'wally'],
  ['patrick', 'pat', 'paddy'],
  ['peter', 'pete'],
  ['stephen', 'steve', 'stevie'],
  ['steven', 'steve', 'stevie'],
  ['timothy', 'tim', 'timmy'],
  ['matthew', 'matt'],
  ['christopher', 'chris', 'kit'],
  ['susan', 'sue', 'susie'],
  ['dorothy', 'dot', 'dolly', 'dottie'],
  ['anna', 'ann', 'anne', 'annie', 'nan', 'nancy'],
  ['sarah', 'sally', 'sadie'],
  ['eleanor', 'ellie', 'nell', 'nellie', 'nora'],
  ['helen', 'nell', 'nellie'],
  ['isabella', 'bella', 'izzy'],
  ['isabel', 'bella', 'izzy'],
  ['victoria', 'vicky', 'vicki'],
  ['deborah', 'debbie', 'deb'],
  ['jennifer', 'jen', 'jenny'],
  ['rebecca', 'becky'],
  ['george', 'georgie'],
  // Italian
  ['giuseppe', 'beppe', 'peppe', 'pino', 'peppino'],
  ['giovanni', 'gianni', 'nino', 'vanni'],
  ['antonio', 'tonino', 'toni', 'tony', 'nino'],
  ['francesco', 'franco', 'checco', 'cesco', 'ciccio'],
  ['salvatore', 'toto', 'turi', 'salvo'],
  ['vincenzo', 'enzo'],
  ['domenico', 'mimmo', 'mimi'],
  ['alessandro', 'sandro', 'ale'],
  ['massimiliano', 'max'],
  ['federico', 'fede', 'chicco'],
  ['luigi', 'gigi', 'gino'],
  ['giacomo', 'mino'],
  ['giuseppina', 'pina', 'peppina'],
  ['francesca', 'franca', 'cesca'],
  ['alessandra', 'sandra', 'ale'],
  ['elisabetta', 'betta', 'bettina'],
  ['caterina', 'rina'],
  ['margherita', 'rita', 'ghita'],
  ['giovanna', 'gianna', 'vanna'],
];

/** Each name, with the groups it is in. */
const GROUPS_OF: ReadonlyMap<string, readonly number[]> = (() => {
  const m = new Map<string, number[]>();
  GROUPS.forEach((g, i) => {
    for (const name of g) m.set(name, [...(m.get(name) ?? []), i]);
  });
  return m;
})();

/** Whether two folded given names are one name and its short form, or two short forms of one name. */
export function sameGivenName(a: string, b: string): boolean {
  if (a === b) return true;
  const ga = GROUPS_OF.get(a);
  const gb = GROUPS_OF.get(b);
  return !!ga && !!gb && ga.some((g) => gb.includes(g));
}

/** Whether some word of one folded name and some word of the other are one given name (`anna maria`, `annie`). */
export function shareGivenName(a: string, b: string): boolean {
  const tb = b.split(' ');
  return a.split(' ').some((x) => tb.some((y) => sameGivenName(x, y)));
}
