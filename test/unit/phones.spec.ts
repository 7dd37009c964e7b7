import { phoneParts } from '../../client/src/widget/phones';

describe('phoneParts', () => {
  it('should turn the default crisis numbers into tel: targets and keep the text around them', () => {
    const parts = phoneParts('Notruf 112. TelefonSeelsorge 0800 111 0 111 oder 0800 111 0 222.');
    expect(parts.filter((p) => p.tel).map((p) => [p.text, p.tel])).toEqual([
      ['112', '112'],
      ['0800 111 0 111', '08001110111'],
      ['0800 111 0 222', '08001110222'],
    ]);
    expect(parts.map((p) => p.text).join('')).toBe('Notruf 112. TelefonSeelsorge 0800 111 0 111 oder 0800 111 0 222.');
  });

  it('should link international numbers and the 116 lines but not times, years or short counts', () => {
    const tels = (s: string) => phoneParts(s).flatMap((p) => (p.tel ? [p.tel] : []));
    expect(tels('Nummer gegen Kummer 116 111, Beratung +49 30 123-4567')).toEqual(['116111', '+49301234567']);
    expect(tels('Seit 2026 rund um die Uhr, 24 Stunden, 7 Tage, ab 18:00')).toEqual([]);
  });
});
