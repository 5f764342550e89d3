/** One page taken from an ordered source, and whether anything follows it. */
export interface Page<T> {
  items: T[];
  /** True when at least one more item follows, so a next page is never empty. */
  more: boolean;
}

/**
 * The one paging rule of every list endpoint (ordersheets, returnRequests, exchangeRequests
 * with `nextToken`; returnWithdrawRequests with `pageIndex`): skip `skip` items, take
 * `size`, and look one further to tell whether another page exists. `source` is consumed
 * lazily, so a page of a million-box window costs the page, not the window.
 */
export function takePage<T>(source: Iterable<T>, size: number, skip = 0): Page<T> {
  const items: T[] = [];
  let seen = 0;
  for (const item of source) {
    if (seen++ < skip) continue;
    if (items.length === size) return { items, more: true };
    items.push(item);
  }
  return { items, more: false };
}
