import { attachmentDisposition, cleanDocumentName } from '../../src/modules/documents/document-names';
import { dayIn, msUntilNextDay } from '../../src/common/zoned-day';

const next = (tz: string, iso: string) => new Date(new Date(iso).getTime() + msUntilNextDay(tz, new Date(iso))).toISOString();

describe('document helpers', () => {
  it('should name the calendar day of the center when the instant is near midnight there', () => {
    expect(dayIn('Europe/Berlin', new Date('2026-12-01T23:30:00Z'))).toBe('2026-12-02');
    expect(dayIn('UTC', new Date('2026-12-01T23:30:00Z'))).toBe('2026-12-01');
  });

  it('should count until the next midnight in the zone when the day has 24, 23 or 25 hours', () => {
    expect(next('Europe/Berlin', '2026-12-01T15:59:30.500Z')).toBe('2026-12-01T23:00:00.000Z');
    expect(next('UTC', '2026-12-01T23:59:59Z')).toBe('2026-12-02T00:00:00.000Z');
    // 29 March 2026: 23 hours in Berlin; 25 October 2026: 25 hours
    expect(next('Europe/Berlin', '2026-03-29T00:30:00Z')).toBe('2026-03-29T22:00:00.000Z');
    expect(next('Europe/Berlin', '2026-10-25T00:30:00Z')).toBe('2026-10-25T23:00:00.000Z');
  });

  it('should keep only a safe last path segment ending in .pdf when a name is cleaned', () => {
    expect(cleanDocumentName('C:\\Users\\x\\Befund März.pdf')).toBe('Befund März.pdf');
    expect(cleanDocumentName('../../etc/passwd')).toBe('passwd.pdf');
    expect(cleanDocumentName('a\u202egnp.pdf')).toBe('agnp.pdf');
    expect(cleanDocumentName('line\r\nbreak"quote.PDF')).toBe('linebreak_quote.PDF');
    expect(cleanDocumentName('')).toBe('document.pdf');
    expect(cleanDocumentName('...')).toBe('document.pdf');
    expect([...cleanDocumentName(`${'ä'.repeat(500)}.pdf`)]).toHaveLength(200);
  });

  it('should give an ASCII fallback and the exact UTF-8 name when the disposition is built', () => {
    expect(attachmentDisposition('Befund März "1".pdf')).toBe(`attachment; filename="Befund M_rz _1_.pdf"; filename*=UTF-8''Befund%20M%C3%A4rz%20%221%22.pdf`);
  });
});
