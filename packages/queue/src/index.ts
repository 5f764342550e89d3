export {
  createQueueFactory,
  type QueueBackendConfig,
  type QueueFactory,
  type QueueHandle,
  type WorkerHandle,
} from "./backend.js";
export {
  JOBS,
  STREAMS,
  parseJobData,
  pollSchedulerId,
  resyncJobId,
  type JobData,
  type JobKind,
  type Stream,
} from "./catalog.js";
export { upsertPollScheduler, pruneSchedulers } from "./schedulers.js";
export { UnrecoverableError, type Job } from "bullmq";
