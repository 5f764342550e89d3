-- AlterTable
ALTER TABLE "sync_checkpoints" ADD COLUMN     "tier_runs" JSONB NOT NULL DEFAULT '{}';
