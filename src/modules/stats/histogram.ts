/**
 * Fixed histogram buckets for the statistics' durations (seconds). A value falls into the first
 * bucket whose upper edge is above it; the last bucket is open (at or above the last edge). The
 * edges never change once counted (a changed edge would mix old and new buckets): add a new metric
 * instead. docs/portal/stats.md lists them.
 */

/** Waiting time from `queue.join` to the assignment: under 30 s, under 1 min, … , 1 h and more. */
export const WAIT_EDGES: readonly number[] = [30, 60, 120, 180, 300, 600, 900, 1200, 1800, 2700, 3600];
/** Length of a live chat from its assignment to its end: under 1 min, under 5 min, … , 2 h and more. */
export const DURATION_EDGES: readonly number[] = [60, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200];

/** The bucket index of a value (seconds; negative or not finite counts as 0). */
export function bucketOf(edges: readonly number[], seconds: number): number {
  const v = Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
  const i = edges.findIndex((edge) => v < edge);
  return i === -1 ? edges.length : i;
}

/** What a bucket reports: its upper edge; the open last bucket its lower edge (the last edge). */
export function reportedEdge(edges: readonly number[], bucket: number): number {
  return edges[Math.min(bucket, edges.length - 1)]!;
}

/** Fewer values than this give no median or percentile (null): one person's wait is theirs. */
export const MIN_VALUES = 3;

/**
 * The p-quantile (0 < p ≤ 1) of the values counted in `counts` (bucket index → count), by the
 * nearest rank: the bucket holding the ⌈p·n⌉-th smallest value, reported as that bucket's edge.
 * Null for fewer than MIN_VALUES values.
 */
export function quantile(edges: readonly number[], counts: ReadonlyMap<number, number>, p: number): number | null {
  const buckets = [...counts.entries()].filter(([, n]) => n > 0).sort(([a], [b]) => a - b);
  const total = buckets.reduce((sum, [, n]) => sum + n, 0);
  if (total < MIN_VALUES) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const [bucket, n] of buckets) {
    seen += n;
    if (seen >= rank) return reportedEdge(edges, bucket);
  }
  return reportedEdge(edges, buckets[buckets.length - 1]![0]);
}
