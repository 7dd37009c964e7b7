import { Clock } from '../../src/common/clock';

/**
 * The tests' one movable clock: real time plus an offset the test moves forward, so graces, expiry,
 * windows and waits are decided by `advance` and a direct sweep call instead of sleeping. Give the
 * same one to every node of a test: `startApp({ clock })`.
 */
export class TestClock extends Clock {
  private offset = 0;

  now(): Date {
    return new Date(Date.now() + this.offset);
  }

  /** Moves time forward by `ms` for everything that reads this clock. */
  advance(ms: number): void {
    if (ms < 0) throw new Error('the test clock only moves forward');
    this.offset += ms;
  }

  /** The moment `ms` after this clock's now (a sweep's `at`). */
  in(ms: number): Date {
    return new Date(this.now().getTime() + ms);
  }
}
