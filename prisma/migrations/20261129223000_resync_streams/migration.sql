-- AlterTable
ALTER TABLE "resync_windows" ADD COLUMN     "rejected" INTEGER NOT NULL DEFAULT 0;
