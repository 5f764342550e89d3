export {
  bullQueue,
  createQueueFactory,
  type QueueBackendConfig,
  type QueueFactory,
  type QueueHandle,
  type WorkerHandle,
} from "./backend.js";
export {
  JOBS,
  STREAMS,
  drainJobOptions,
  drainSchedulerId,
  parseJobData,
  pollSchedulerId,
  reconcileSchedulerId,
  resyncJobId,
  type JobData,
  type JobKind,
  type Stream,
} from "./catalog.js";
export {
  upsertDrainScheduler,
  upsertPollScheduler,
  upsertReconcileScheduler,
  pruneSchedulers,
} from "./schedulers.js";
export { UnrecoverableError, type Job } from "bullmq";
