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
  bootPollJobOptions,
  drainJobOptions,
  drainSchedulerId,
  parseJobData,
  pollSchedulerId,
  reconcileSchedulerId,
  resyncJobId,
  RETENTION_SCHEDULER_ID,
  type JobData,
  type JobKind,
  type Stream,
} from "./catalog.js";
export {
  upsertDrainScheduler,
  upsertPollScheduler,
  upsertReconcileScheduler,
  upsertRetentionScheduler,
  pruneSchedulers,
} from "./schedulers.js";
export { UnrecoverableError, type Job } from "bullmq";
