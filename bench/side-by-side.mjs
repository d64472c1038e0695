// Shared by the side-by-side benchmarks (issue 20): the ratio line printed
// beside each goal, medians, and the `--memory-limit` check (goal 6).

/** Median of numbers (the mean of the middle two for an even count). */
export function median(xs) {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Prints ours beside the reference measured in the same run, the ratio and whether the goal is met. */
export function ratioRow(what, ours, refName, ref, goal, better = 'lower') {
  const ratio = ours / ref;
  const met = better === 'lower' ? ratio <= goal : ratio >= goal;
  console.log(
    `  ${what.padEnd(14)} alloy-ts ${ours.toFixed(2).padStart(9)}  ${refName} ${ref.toFixed(2).padStart(9)}  ratio ${ratio.toFixed(2).padStart(5)}  goal ${better === 'lower' ? '<=' : '>='} ${goal}  ${met ? 'met' : 'NOT met'}`,
  );
  return { what, ours, ref, ratio, goal, met };
}

/**
 * Goal 6: the agent runs `run` without a limit by default, so its default
 * budget is taken to be what it used without one in this run (peak RSS), and
 * the limited run gets half of it. Prints peak RSS against that limit.
 */
export function memoryLimitMiB(defaultPeakMiB) {
  return Math.max(32, Math.floor(defaultPeakMiB / 2));
}

export function memoryLimitRow(what, limitMiB, peakMiB, extra = '') {
  const met = peakMiB <= limitMiB;
  console.log(`  ${what.padEnd(14)} --memory-limit=${limitMiB}MiB (half the default run's peak): peak RSS ${peakMiB.toFixed(0)} MiB = ${(peakMiB / limitMiB).toFixed(2)}x the limit  goal <= 1  ${met ? 'met' : 'NOT met'}${extra}`);
  return { what, limitMiB, peakMiB, met };
}
