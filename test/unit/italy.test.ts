import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCodiceFiscale, checkPartitaIva, codiceFiscaleBirth, codiceFiscaleCheck, codiceFiscaleNames, codiceFiscaleSpells, findProvince, namesByCodiceFiscale, provinceCodes } from '../../lambdas/domain/italy.ts';

describe('codice fiscale', () => {
  it.each(['RSSMRA80A01H501U', 'rssmra80a01h501u', 'RSS MRA 80A01 H501U'])('accepts %j', (raw) => {
    expect(checkCodiceFiscale(raw)).toEqual({ ok: true, value: 'RSSMRA80A01H501U' });
  });
  it('accepts omocodia (digits replaced by letters) with its own check letter', () => {
    const base = 'RSSMRA80A01H50M';
    expect(checkCodiceFiscale(base + codiceFiscaleCheck(base)).ok).toBe(true);
  });
  it('rejects a wrong check letter and a wrong shape', () => {
    expect(checkCodiceFiscale('RSSMRA80A01H501A')).toEqual({ ok: false, reason: 'taxCode.checksum' });
    expect(checkCodiceFiscale('RSSMRA80Z01H501U')).toEqual({ ok: false, reason: 'taxCode.syntax' });
  });
  it('detects every single-character typo (property)', () => {
    const upper = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ');
    const digit = fc.constantFrom(...'0123456789');
    const cf = fc
      .tuple(fc.array(upper, { minLength: 6, maxLength: 6 }), fc.array(digit, { minLength: 2, maxLength: 2 }), fc.constantFrom(...'ABCDEHLMPRST'), fc.array(digit, { minLength: 2, maxLength: 2 }), upper, fc.array(digit, { minLength: 3, maxLength: 3 }))
      .map(([a, b, c, d, e, f]) => {
        const first = `${a.join('')}${b.join('')}${c}${d.join('')}${e}${f.join('')}`;
        return first + codiceFiscaleCheck(first);
      });
    fc.assert(
      fc.property(cf, fc.integer({ min: 0, max: 14 }), digit, (code, pos, replacement) => {
        expect(checkCodiceFiscale(code).ok).toBe(true);
        const isDigitPos = code[pos]! >= '0' && code[pos]! <= '9';
        if (!isDigitPos || code[pos] === replacement) return;
        const typo = code.slice(0, pos) + replacement + code.slice(pos + 1);
        expect(checkCodiceFiscale(typo)).toEqual({ ok: false, reason: 'taxCode.checksum' });
      }),
      { numRuns: 2000 },
    );
  });
});

describe("codice fiscale's name letters", () => {
  it('spells surname and given name as the rules do: consonants, then vowels, then X; four consonants give the 1st, 3rd and 4th', () => {
    expect(codiceFiscaleNames('Rossi', 'Mario')).toBe('RSSMRA');
    expect(codiceFiscaleNames('Fo', 'Ugo')).toBe('FOXGUO');
    expect(codiceFiscaleNames("D'Angelo", 'Niccolò')).toBe('DNGNCL');
    expect(codiceFiscaleNames('De Luca', 'Gianfranco')).toBe('DLCGFR');
  });
  it('tells whether a code spells a person, either way round', () => {
    expect(codiceFiscaleSpells('DLCGFR80A01H501X', 'Gianfranco', 'De Luca')).toBe(true);
    expect(codiceFiscaleSpells('DLCGFR80A01H501X', 'DE LUCA', 'GIANFRANCO')).toBe(true);
    expect(codiceFiscaleSpells('DLCGFR80A01H501X', 'Giulia', 'De Luca')).toBe(false);
  });
  it('tells the surname of a name written whole, or nothing for a name the code does not spell', () => {
    expect(namesByCodiceFiscale('DE LUCA GIANFRANCO', 'DLCGFR80A01H501X')).toEqual({ lastName: 'DE LUCA', firstName: 'GIANFRANCO' });
    expect(namesByCodiceFiscale('Gianfranco De Luca', 'DLCGFR80A01H501X')).toEqual({ firstName: 'Gianfranco', lastName: 'De Luca' });
    expect(namesByCodiceFiscale('Ferramenta De Luca', 'DLCGFR80A01H501X')).toBeUndefined();
    expect(namesByCodiceFiscale('Gianfranco', 'DLCGFR80A01H501X')).toBeUndefined();
  });
});

describe("codice fiscale's birth date and sex", () => {
  const cf = (first15: string) => first15 + codiceFiscaleCheck(first15);
  it('reads year, month letter and day; a woman\'s day is 40 more', () => {
    expect(codiceFiscaleBirth(cf('RSSMRA71H24F205'), 2026)).toEqual({ birthDate: '1971-06-24', gender: 'm' });
    expect(codiceFiscaleBirth(cf('BNCGLI85E55F205'), 2026)).toEqual({ birthDate: '1985-05-15', gender: 'f' });
    expect(codiceFiscaleBirth(cf('VRDLCU99T71H501'), 2026)).toEqual({ birthDate: '1999-12-31', gender: 'f' });
  });
  it('reads omocodia letters back as digits', () => {
    // 85 -> UR, 55 -> RR, F205 -> F2LR: the code a second Giulia Bianchi born that day in Milan may have been given.
    expect(codiceFiscaleBirth(cf('BNCGLIURERRF2LR'), 2026)).toEqual({ birthDate: '1985-05-15', gender: 'f' });
    expect(codiceFiscaleBirth(cf('RSSMRAT1HNQF205'), 2026)).toEqual({ birthDate: '1971-06-24', gender: 'm' });
  });
  it('puts the year in the latest century not after the year given', () => {
    expect(codiceFiscaleBirth(cf('RSSMRA05A01F205'), 2026)?.birthDate).toBe('2005-01-01');
    expect(codiceFiscaleBirth(cf('RSSMRA26A01F205'), 2026)?.birthDate).toBe('2026-01-01');
    expect(codiceFiscaleBirth(cf('RSSMRA27A01F205'), 2026)?.birthDate).toBe('1927-01-01');
    expect(codiceFiscaleBirth(cf('RSSMRA30A01F205'), 2026)?.birthDate).toBe('1930-01-01');
  });
  it('states nothing for an impossible day or a company\'s code', () => {
    expect(codiceFiscaleBirth(cf('RSSMRA71B30F205'), 2026)).toBeUndefined(); // 30 February
    expect(codiceFiscaleBirth(cf('RSSMRA71B75F205'), 2026)).toBeUndefined(); // 35 February, a woman's
    expect(codiceFiscaleBirth(cf('RSSMRA71A35F205'), 2026)).toBeUndefined(); // neither a man's day nor a woman's
    expect(codiceFiscaleBirth(cf('RSSMRA00B29F205'), 2026)).toEqual({ birthDate: '2000-02-29', gender: 'm' });
    expect(codiceFiscaleBirth('01234567897', 2026)).toBeUndefined();
  });
});

describe('partita IVA', () => {
  it.each(['01234567897', 'IT01234567897', '012 345 678 97'])('accepts %j', (raw) => {
    expect(checkPartitaIva(raw)).toEqual({ ok: true, value: '01234567897' });
  });
  it('rejects a wrong check digit, a wrong length and the all-zero placeholder', () => {
    expect(checkPartitaIva('01234567890')).toEqual({ ok: false, reason: 'vatNumber.checksum' });
    expect(checkPartitaIva('1234567')).toEqual({ ok: false, reason: 'vatNumber.syntax' });
    expect(checkPartitaIva('00000000000')).toEqual({ ok: false, reason: 'vatNumber.placeholder' });
  });
  it('a company codice fiscale of 11 digits is checked like a partita IVA', () => {
    expect(checkCodiceFiscale('01234567897')).toEqual({ ok: true, value: '01234567897' });
  });
});

describe('provinces', () => {
  it('knows the 107 current provinces and 4 abolished Sardinian codes', () => {
    expect(provinceCodes()).toHaveLength(111);
    for (const code of provinceCodes()) expect(findProvince(code)?.code).toBe(code);
  });
  it('finds each province by its own name', () => {
    for (const code of provinceCodes()) {
      const p = findProvince(code)!;
      expect(findProvince(p.name)?.code).toBe(code);
    }
  });
});
