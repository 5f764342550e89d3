import { z } from "zod";

/**
 * The position of a poll in progress, stored in `sync_checkpoints.cursor` and committed with the
 * rows of each page. It names the next page to fetch: window `window` of the plan [from, to),
 * status `status` (an index into the six statuses), and the `nextToken` to send (null = the
 * first page). A crash resumes exactly here; it never skips a window (pitfalls M-5).
 */
export const cursorSchema = z.object({
  v: z.literal(1),
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  window: z.number().int().min(0),
  status: z.number().int().min(0),
  nextToken: z.string().min(1).nullable(),
});
export type Cursor = z.infer<typeof cursorSchema>;

/**
 * Reads a stored cursor. An unreadable one (from an older release, or edited by hand) is
 * reported to the caller, which then re-plans from the checkpoint — never skipping anything,
 * since `synced_through` only moves once a window is complete.
 */
export function readCursor(stored: unknown): Cursor | null {
  if (stored === null || stored === undefined) return null;
  const parsed = cursorSchema.safeParse(stored);
  return parsed.success ? parsed.data : null;
}
