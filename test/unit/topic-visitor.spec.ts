import { nicknameProblem as serverProblem } from '../../src/modules/topic-chats/nickname';
import { nicknameProblem, refusalOf } from '../../client/src/portal/topic-visitor';

describe('topic-chat join refusals in the portal', () => {
  it('should name every nickname reason the server gives when topic.join answers VALIDATION_FAILED', () => {
    const staff = ['Counselor 1'];
    const cases: [string, string][] = [
      ['M', 'length'],
      ['x'.repeat(41), 'length'],
      ['Mi\u200Bla', 'invisible'],
      ['--', 'letters'],
      ['Counse1or 1', 'staff'],
      ['Beratung Nord', 'staff'],
    ];
    for (const [nickname, kind] of cases) {
      const message = serverProblem(nickname, staff);
      expect([nickname, message === null ? 'accepted' : refusalOf({ code: 'VALIDATION_FAILED', message, fields: ['nickname'] })]).toEqual([nickname, kind]);
    }
    // the duplicate (or look-alike of a participant) is refused inside the join's transaction
    expect(refusalOf({ code: 'VALIDATION_FAILED', message: 'This nickname is taken in this chat. Please choose another one.', fields: ['nickname'] })).toBe(
      'taken',
    );
    expect(refusalOf({ code: 'VALIDATION_FAILED', message: 'nickname must be shorter than or equal to 40 characters', fields: ['nickname'] })).toBe('length');
    expect(refusalOf({ code: 'VALIDATION_FAILED', message: 'something new', fields: ['nickname'] })).toBe('invalid');
  });

  it('should map the topic codes to their sentences when the server refuses the join', () => {
    expect(refusalOf({ code: 'TOPIC_FULL', message: 'full' })).toBe('full');
    expect(refusalOf({ code: 'TOPIC_NOT_OPEN', message: 'later' })).toBe('notOpen');
    expect(refusalOf({ code: 'FORBIDDEN', message: 'You were removed from this topic chat.' })).toBe('removed');
    expect(refusalOf({ code: 'NOT_FOUND', message: 'gone' })).toBe('missing');
    expect(refusalOf({ code: 'CONFLICT', message: 'taken' })).toBe('taken');
    expect(refusalOf({ code: 'RATE_LIMITED', message: 'wait', retryAfterMs: 1000 })).toBe('RATE_LIMITED');
    expect(refusalOf({ code: 'INTERNAL', message: 'oops' })).toBe('INTERNAL');
  });

  it('should refuse too short, too long and invisible nicknames before sending when the page can tell', () => {
    expect(nicknameProblem(' M ')).toBe('length');
    expect(nicknameProblem('x'.repeat(41))).toBe('length');
    expect(nicknameProblem('Mila\u2060')).toBe('invisible');
    expect(nicknameProblem('  Mila  ')).toBeNull();
    expect(nicknameProblem('Ｍｉｌａ')).toBeNull();
  });
});
