import { hasInvisible, nameSkeleton, normalizeLogin, stripBidiControls } from '../../src/common/names';

describe('names', () => {
  it('should give every spelling variant of a login one normal form when it is normalised', () => {
    const forms = ['anna@demo.example', 'ANNA@demo.example', ' Anna@Demo.Example ', 'ａｎｎａ@ｄｅｍｏ.ｅｘａｍｐｌｅ'];
    expect(new Set(forms.map(normalizeLogin))).toEqual(new Set(['anna@demo.example']));
    expect(normalizeLogin('a\u0301nna')).toBe(normalizeLogin('\u00e1nna'));
    expect(normalizeLogin('\u00c1NNA')).toBe(normalizeLogin('\u00e1nna'));
    // full case folding, not toLowerCase: ß and ss, long s and s are one login
    expect(normalizeLogin('Straße')).toBe(normalizeLogin('STRASSE'));
    expect(normalizeLogin('ſanna')).toBe('sanna');
    // accents stay: "ánna" is a different login than "anna"
    expect(normalizeLogin('ánna')).not.toBe(normalizeLogin('anna'));
  });

  it('should find invisible and format characters when a name carries one', () => {
    for (const ch of ['\u200b', '\u200d', '\u2060', '\u3164', '\u115f', '\u1160', '\uffa0', '\u202e', '\u2066', '\u00ad', '\ufe0f', '\u{e0041}', '\u0007'])
      expect(hasInvisible(`anna${ch}`)).toBe(true);
    expect(hasInvisible('Anna Berg-Müller')).toBe(false);
  });

  it('should give look-alikes one skeleton when they differ only in script, case or width', () => {
    const anna = nameSkeleton('anna');
    expect(nameSkeleton('\u0430nna')).toBe(anna); // Cyrillic а
    expect(nameSkeleton('\u0251nna')).toBe(anna); // IPA ɑ
    expect(nameSkeleton('ANNA')).toBe(anna);
    expect(nameSkeleton('ａｎｎａ')).toBe(anna);
    expect(nameSkeleton('\u0391DMIN')).toBe(nameSkeleton('admin')); // Greek Α
    expect(nameSkeleton('\u039Cila')).toBe(nameSkeleton('mila')); // Greek Μ
    expect(nameSkeleton('Iena')).toBe(nameSkeleton('lena')); // capital I passes for l
    expect(nameSkeleton('B0B')).toBe(nameSkeleton('bob'));
    expect(nameSkeleton('anne')).not.toBe(anna);
    expect(nameSkeleton('mila')).not.toBe(nameSkeleton('nila'));
  });

  it('should strip bidi overrides and isolates when a display name carries them', () => {
    expect(stripBidiControls('Anna\u202e reb\u2066ec\u2069')).toBe('Anna rebec');
  });
});
