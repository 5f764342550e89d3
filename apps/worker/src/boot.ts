import pMap from "p-map";

/** Boot round trips (vendor rows, schedulers, boot polls) in flight at once. */
const BOOT_CONCURRENCY = 32;

/**
 * Runs a boot step for every item, {@link BOOT_CONCURRENCY} at a time, and rejects with the first
 * error. One by one, the ~13,000 round trips of 1,000 vendors kept a process from taking jobs for
 * 60–110 s (BENCHMARKS.md §7).
 */
export async function bootEach<T>(items: Iterable<T>, step: (item: T) => Promise<unknown>): Promise<void> {
  await pMap(items, step, { concurrency: BOOT_CONCURRENCY });
}
