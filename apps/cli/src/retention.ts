import { erasePersonalData } from "@cos/db";
import { retentionCutoff } from "@cos/worker";
import { CliError, EXIT, print, type Session } from "./session.js";

/**
 * `retention [--dry-run] [--days N]`: erases (or with `--dry-run` counts) the buyers' personal data
 * of closed orders and claims last changed more than N days ago (@cos/db `erasePersonalData`), as
 * the worker's daily job does; N is `--days`, else PII_RETENTION_DAYS.
 * @throws CliError (65) when neither gives a number of days.
 */
export async function retention(s: Session, opts: { dryRun?: boolean; days?: number }): Promise<void> {
  const days = opts.days ?? s.config.piiRetentionDays;
  if (days === undefined)
    throw new CliError(EXIT.dataErr, "days: PII_RETENTION_DAYS is not set; give --days N (1–3650)");
  const report = await erasePersonalData(s.prisma, {
    before: retentionCutoff(days),
    dryRun: opts.dryRun === true,
  });
  print(s.out, s, { days, ...report }, () =>
    [
      `${report.dryRun ? "would erase" : "erased"} personal data of rows last changed before ${report.before.toISOString()} (${days} days):`,
      `  shipment boxes     ${report.tables.shipment_boxes}`,
      `  return requests    ${report.tables.return_requests}`,
      `  exchange requests  ${report.tables.exchange_requests}`,
      `  total              ${report.total}`,
    ].join("\n"),
  );
}
