// What test/global-setup.ts provides to every integration test through vitest's `inject`.
declare module "vitest" {
  export interface ProvidedContext {
    /** A Postgres URL whose user may create databases; each test file makes its own. */
    postgresAdminUrl: string;
    /** The Redis to test against, or null when none is reachable (Redis suites skip). */
    redisUrl: string | null;
  }
}
export {};
