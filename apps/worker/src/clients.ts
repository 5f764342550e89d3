import { CoupangClient, type CoupangClientOptions } from "@cos/coupang";
import type { WorkerConfig } from "./config.js";

/**
 * One Coupang client per configured vendor, keyed by vendor ID: `config.coupangBaseUrl` with the
 * vendor's keys (coupang-api.md §1), plus `extra` (a shared limiter, an `onResponse` hook, …).
 * The caller closes them (`CoupangClient.close`).
 */
export function vendorClients(
  config: Pick<WorkerConfig, "coupangBaseUrl" | "vendors">,
  extra: Omit<Partial<CoupangClientOptions>, "baseUrl" | "vendorId" | "accessKey" | "secretKey"> = {},
): Map<string, CoupangClient> {
  return new Map(
    config.vendors.map((v) => [
      v.vendorId,
      new CoupangClient({
        baseUrl: config.coupangBaseUrl,
        vendorId: v.vendorId,
        accessKey: v.accessKey,
        secretKey: v.secretKey,
        ...extra,
      }),
    ]),
  );
}
