// A small signed-request checking HTTP server standing in for Coupang in the package's tests.
// It verifies the CEA signature independently of signer.ts (coupang-api.md §1), records every
// request (method, raw target, headers, body) and answers with what the test's handler says.
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import type { IncomingHttpHeaders, Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CoupangClient } from "../../src/client.js";
import type { CoupangClientOptions } from "../../src/client.js";
import { stringifyJson } from "../../src/json.js";

export const VENDOR = "A00012345";
export const ACCESS = "test-access-key";
export const SECRET = "s3cr3t-DO-NOT-LEAK-0123456789";
export const API = `/v2/providers/openapi/apis/api`;

/** One request as the server saw it. */
export interface Recorded {
  method: string;
  /** The raw request target, exactly as received. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The request body as text (`""` when none). */
  body: string;
  /** Whether the Authorization header verifies against the received method, path and query. */
  signatureOk: boolean;
  signedDate: string | undefined;
}

/** What the server answers: a status with headers and body, a dropped socket, or silence. */
export type Reply = { status: number; headers?: Record<string, string>; body?: string } | "destroy" | "hang";
export type Handler = (request: Recorded, index: number) => Reply;

function verify(method: string, rawUrl: string, authorization: string | undefined) {
  const m =
    /^CEA algorithm=HmacSHA256, access-key=([^,]+), signed-date=(\d{6}T\d{6}Z), signature=([0-9a-f]{64})$/.exec(
      authorization ?? "",
    );
  if (!m || m[1] !== ACCESS) return { ok: false, signedDate: undefined };
  const q = rawUrl.indexOf("?");
  const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
  const query = q === -1 ? "" : rawUrl.slice(q + 1);
  const expected = createHmac("sha256", SECRET).update(`${m[2]}${method}${path}${query}`).digest("hex");
  return { ok: expected === m[3], signedDate: m[2] };
}

const servers: Server[] = [];
const clients: CoupangClient[] = [];

/** Closes every server and client made since the last call; run it in `afterEach`. */
export async function closeAll(): Promise<void> {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
}

/** Starts a fake Coupang on a free local port; a request with a bad signature gets a 401. */
export async function fakeCoupang(handler: Handler): Promise<{ baseUrl: string; requests: Recorded[] }> {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = req.url ?? "";
      const method = req.method ?? "";
      const { ok, signedDate } = verify(method, url, req.headers.authorization);
      const body = Buffer.concat(chunks).toString("utf8");
      const recorded: Recorded = { method, url, headers: req.headers, body, signatureOk: ok, signedDate };
      requests.push(recorded);
      const reply = ok
        ? handler(recorded, requests.length - 1)
        : { status: 401, body: '{"code":"ERROR","message":"Invalid signature (test server)"}' };
      if (reply === "destroy") {
        req.socket.destroy();
        return;
      }
      if (reply === "hang") return;
      res.writeHead(reply.status, { "content-type": "application/json;charset=UTF-8", ...reply.headers });
      res.end(reply.body ?? "");
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}`, requests };
}

/**
 * A client of the fake server. Unless the test passes its own limiter or rate, it runs at
 * 1000 requests/s so that tests about other things are not slowed by the 5/s default.
 */
export function makeClient(baseUrl: string, extra: Partial<CoupangClientOptions> = {}): CoupangClient {
  const client = new CoupangClient({
    baseUrl,
    vendorId: VENDOR,
    accessKey: ACCESS,
    secretKey: SECRET,
    requestsPerSecond: 1000,
    ...extra,
  });
  clients.push(client);
  return client;
}

/** A clock that moves one second per call, so every signature differs. */
export function tickingClock(start = "2025-07-31T01:30:05Z"): () => Date {
  let t = Date.parse(start);
  return () => new Date((t += 1000));
}

/** A 200 answer with `body` as lossless JSON. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Reply {
  return { status, headers, body: stringifyJson(body) };
}
