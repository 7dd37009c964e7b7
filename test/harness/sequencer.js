// Jest's default order (slowest first, from the last run's timings), except that the attack suite's
// privacy sweep runs after every other file: it checks what the whole suite left behind.
const Sequencer = require('@jest/test-sequencer').default;

class LotseSequencer extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const last = (t) => /[\\/]test[\\/]attacks[\\/]privacy-sweep\.spec\.ts$/.test(t.path);
    return [...sorted.filter((t) => !last(t)), ...sorted.filter(last)];
  }
}

module.exports = LotseSequencer;
