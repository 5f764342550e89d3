import { CoupangInputError, CoupangPayloadError } from "./errors.js";
import type { CallContext } from "./envelope.js";

/** Options of every paged listing (`…Pages` methods of the client). */
export interface PageOptions {
  /**
   * Safety cap on pages per listing; default {@link DEFAULT_MAX_PAGES}. Reaching it is an error,
   * never a silent stop.
   */
  maxPages?: number;
}

/**
 * Pages one listing may take: 100,000 pages of 50, 5,000,000 records. A repeated cursor is caught
 * on its own (a paging loop); this bounds a listing whose cursors never repeat nor end. It must
 * stay far above a real list: a large seller's 31-day FINAL_DELIVERY list holds ~870,000 boxes, and
 * the former cap of 10,000 pages made a 1,000,000-order backfill split that window and read its
 * first 500,000 boxes again (BENCHMARKS.md §5).
 */
export const DEFAULT_MAX_PAGES = 100_000;

/** How {@link paginate} walks one listing. */
export interface Pager<P, C extends string | number> {
  /** The cursor of the first request (a resumed `nextToken`, or page index 1); `undefined` for none. */
  start: C | undefined;
  /** Fetches the page at `cursor`. */
  fetch: (cursor: C | undefined) => Promise<P>;
  /** The cursor of the page after `page`; `undefined` on the last page. */
  next: (page: P) => C | undefined;
  /** The response field holding the cursor (`nextToken`, `nextPageIndex`), for error messages. */
  cursorName: string;
  context: CallContext;
}

/**
 * The one pager behind every paged list (nextToken paging of §2.1, §6.1, §8.1 and pageIndex
 * paging of §7). Yields each page before requesting the next, so a caller can commit a page and
 * its cursor first, and stops when the next cursor is absent.
 *
 * Throws {@link CoupangPayloadError} after yielding a page whose next cursor was already used in
 * this listing (a paging loop: Coupang would repeat pages forever) or when `maxPages` pages did
 * not reach the end; {@link CoupangInputError} for a `maxPages` that is not a positive integer;
 * and whatever `fetch` throws.
 */
export async function* paginate<P, C extends string | number>(
  pager: Pager<P, C>,
  options: PageOptions = {},
): AsyncGenerator<P, void, undefined> {
  const { context, cursorName } = pager;
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  if (!Number.isInteger(maxPages) || maxPages < 1) {
    throw new CoupangInputError({
      ...context,
      field: "maxPages",
      value: maxPages,
      limit: "a positive integer",
    });
  }
  const seen = new Set<string>();
  let cursor = pager.start;
  if (cursor !== undefined) seen.add(String(cursor));
  for (let pages = 1; ; pages += 1) {
    const page = await pager.fetch(cursor);
    yield page;
    const next = pager.next(page);
    if (next === undefined) return;
    if (seen.has(String(next))) {
      throw new CoupangPayloadError({
        ...context,
        jsonPath: cursorName,
        value: next,
        expected: `a ${cursorName} not seen before in this listing (page ${pages} repeats one: a paging loop)`,
      });
    }
    if (pages >= maxPages) {
      throw new CoupangPayloadError({
        ...context,
        jsonPath: cursorName,
        value: next,
        expected: `the last page within ${maxPages} pages`,
      });
    }
    seen.add(String(next));
    cursor = next;
  }
}
