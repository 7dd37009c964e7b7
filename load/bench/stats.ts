// The pure arithmetic of the bench: percentiles, the judging of a rate step, ratios, and which step
// a figure is read from. No I/O here (test/unit/bench.spec.ts tests every function).

/** The p-th percentile (0–100, nearest rank) of ascending `sorted`; null for none. Infinity (a lost message) sorts last. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

/** Merges ascending arrays (the generators' latencies) into one ascending array. */
export function mergeSorted(parts: readonly (readonly number[])[]): number[] {
  return parts.flat().sort((a, b) => a - b);
}

/** a ÷ b, or null when either is missing or b is not positive. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  return typeof a === 'number' && typeof b === 'number' && Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : null;
}

/** What a rate step answered, summed over the generators. */
export interface StepOutcome {
  /** Offered messages (or requests) per second. */
  rate: number;
  seconds: number;
  sent: number;
  /** Answered ok within the step + grace. */
  acked: number;
  errors: number;
  /** ms from the scheduled send time; a send not answered within the step + grace counts as Infinity. */
  p50: number | null;
  p99: number | null;
  /** Server CPU seconds during the step + grace, per process group (lotse, mariadbd, redis). */
  serverCpu: Record<string, number | null>;
  /** The generators' CPU seconds, summed, and the busiest generator's share of one core. */
  generatorCpu: number;
  generatorMaxCorePercent: number;
}

export interface StepVerdict {
  passed: boolean;
  reason: string | null;
}

export const FAIL_ACKED = 0.99;
export const FAIL_P99_MS = 500;

/** A step fails with fewer than 99 % of its sends acked within the step + grace, or a p99 above 500 ms. */
export function judgeStep(o: Pick<StepOutcome, 'sent' | 'acked' | 'p99'>, p99LimitMs = FAIL_P99_MS): StepVerdict {
  if (o.sent === 0) return { passed: false, reason: 'nothing was sent' };
  const share = o.acked / o.sent;
  if (share < FAIL_ACKED) return { passed: false, reason: `${(share * 100).toFixed(1)} % acked (< ${FAIL_ACKED * 100} %)` };
  if (o.p99 === null || !(o.p99 <= p99LimitMs)) return { passed: false, reason: `p99 ${o.p99 === null ? '–' : o.p99.toFixed(0)} ms > ${p99LimitMs} ms` };
  return { passed: true, reason: null };
}

export interface JudgedStep extends StepOutcome, StepVerdict {}

/** The passing step with the highest rate (the steps run in rising order and stop at the first failure). */
export function busiestPassing<T extends { passed: boolean; rate: number }>(steps: readonly T[]): T | null {
  return steps.filter((s) => s.passed).reduce<T | null>((best, s) => (best === null || s.rate > best.rate ? s : best), null);
}

/** The highest passing rate whose p99 is within `limitMs`; null when none is. */
export function highestRateWithin(steps: readonly { passed: boolean; rate: number; p99: number | null }[], limitMs: number): number | null {
  const ok = steps.filter((s) => s.passed && s.p99 !== null && s.p99 <= limitMs).map((s) => s.rate);
  return ok.length ? Math.max(...ok) : null;
}

/** The step at exactly `rate`, if it ran. */
export const stepAt = <T extends { rate: number }>(steps: readonly T[], rate: number): T | null => steps.find((s) => s.rate === rate) ?? null;

/** Server CPU µs per acked message of one process group at a step; null when unknown. */
export function cpuMicrosPerOp(step: Pick<StepOutcome, 'acked' | 'serverCpu'> | null, group: string): number | null {
  const cpu = step?.serverCpu[group];
  return step && typeof cpu === 'number' && step.acked > 0 ? (cpu * 1e6) / step.acked : null;
}

/** The rates of the steps: `BENCH_STEPS` ("250,500,1000") or the default; rising, whole, positive. */
export function parseSteps(raw: string | undefined, fallback: readonly number[]): number[] {
  if (raw === undefined || raw.trim() === '') return [...fallback];
  const steps = raw.split(',').map((s) => Number(s.trim()));
  if (steps.some((n) => !Number.isInteger(n) || n <= 0)) throw new RangeError('BENCH_STEPS must be a comma-separated list of whole positive rates');
  return [...steps].sort((a, b) => a - b);
}

/** A number for JSON: finite, rounded to `digits`, or null. */
export function num(v: number | null | undefined, digits = 2): number | null {
  if (typeof v !== 'number' || !Number.isFinite(v)) return null;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** A figure with its ratio to the baseline's: `{ lotse, baseline, ratio }`. */
export interface Compared {
  lotse: number | null;
  baseline: number | null;
  ratio: number | null;
}

export const compare = (lotse: number | null | undefined, baseline: number | null | undefined, digits = 2): Compared => ({
  lotse: num(lotse, digits),
  baseline: num(baseline, digits),
  ratio: num(ratio(lotse, baseline), 2),
});
