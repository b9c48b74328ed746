/** Order statistics over round-trip times (nearest-rank). */
export function percentile(xs: readonly number[], p: number): number {
  if (!xs.length) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

export function median(xs: readonly number[]): number {
  return percentile(xs, 0.5);
}
