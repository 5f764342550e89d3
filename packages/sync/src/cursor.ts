import { z } from "zod";
import { TIERS, type StreamPlan } from "./planner.js";

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const tier = z.enum(TIERS);

const planSchema = z.object({
  queries: z.array(
    z.object({
      tier,
      status: z.string().min(1),
      createdAtFrom: day,
      createdAtTo: day,
      cost: z.number().int().min(1),
      reason: z.string(),
    }),
  ),
  hotTo: z.iso.datetime().nullable(),
  tierRuns: z.record(z.string(), z.string()),
  deferred: z.number().int().min(0),
  reason: z.string(),
}) satisfies z.ZodType<StreamPlan>;

/**
 * The position of a poll in progress, stored in `sync_checkpoints.cursor` and committed with the
 * rows of each page. It holds the plan itself, so a resumed poll runs exactly the queries it
 * started, and names the next page to fetch: query `query` of the plan with `nextToken` (null =
 * its first page). A crash resumes exactly here; it never skips a query (pitfalls M-5). A query
 * split after a failure is replaced by its halves in this plan before they are read, so a crash
 * resumes the split plan too.
 */
export const cursorSchema = z.object({
  v: z.literal(2),
  plan: planSchema,
  query: z.number().int().min(0),
  nextToken: z.string().min(1).nullable(),
});
export type Cursor = z.infer<typeof cursorSchema>;

/**
 * Reads a stored cursor. An unreadable one (from an older release, or edited by hand) is
 * reported as none, and the poll re-plans from the checkpoint — skipping nothing, since
 * `synced_through` only moves once the hot queries are complete.
 */
export function readCursor(stored: unknown): Cursor | null {
  if (stored === null || stored === undefined) return null;
  const parsed = cursorSchema.safeParse(stored);
  return parsed.success ? parsed.data : null;
}
