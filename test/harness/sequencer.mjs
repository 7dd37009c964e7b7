// Jest's default order (slowest first, from the last run's timings), except that the attack suite's
// privacy sweep runs after every other file: it checks what the whole suite left behind.
import sequencer from '@jest/test-sequencer';

const Sequencer = sequencer.default ?? sequencer;
const last = (t) => /[\\/]test[\\/]attacks[\\/]privacy-sweep\.spec\.ts$/.test(t.path);

export default class LotseSequencer extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    return [...sorted.filter((t) => !last(t)), ...sorted.filter(last)];
  }
}
