import { randomUUID } from 'node:crypto';
import { chatLabel } from '../../src/modules/live-queue/chat-label';
import { estimate } from '../../src/modules/live-queue/queue-effects.service';

describe('live chat labels and the wait estimate', () => {
  it('should derive the same short word-and-number label from a room id every time', () => {
    const id = randomUUID();
    expect(chatLabel(id)).toBe(chatLabel(id));
    expect(chatLabel(id)).toMatch(/^\p{Lu}\p{Ll}+ [1-9]\d$/u);
  });

  it('should tell a counselor’s chats apart: 10 random chats almost never share a label', () => {
    let clashes = 0;
    for (let round = 0; round < 200; round++) {
      const labels = Array.from({ length: 10 }, () => chatLabel(randomUUID()));
      if (new Set(labels).size < labels.length) clashes++;
    }
    // 32 words × 90 numbers: a clash among 10 chats has a probability of about 1.5 %
    expect(clashes).toBeLessThan(20);
  });

  it('should estimate the median wait times the position in whole minutes, at least 1, and null without a base', () => {
    expect(estimate(null, 3)).toBeNull();
    expect(estimate(240_000, 2)).toBe(8);
    expect(estimate(5_000, 1)).toBe(1);
    expect(estimate(90_000, 1)).toBe(2);
  });
});
