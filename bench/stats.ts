/** The q-quantile (0..1) of some numbers, by the nearest-rank method. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export const median = (values: readonly number[]) => quantile(values, 0.5);

/** Rounds to `digits` decimals, for reports. */
export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
