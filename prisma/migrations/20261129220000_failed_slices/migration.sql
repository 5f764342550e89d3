-- AlterTable
ALTER TABLE "sync_runs" ADD COLUMN     "slices_failed" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "slices_resolved" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "sync_failed_slices" (
    "id" BIGSERIAL NOT NULL,
    "vendor_id" TEXT NOT NULL,
    "stream" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "created_at_from" TEXT NOT NULL,
    "created_at_to" TEXT NOT NULL,
    "error_kind" TEXT NOT NULL,
    "error_message" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "first_failed_at" TIMESTAMPTZ(6) NOT NULL,
    "last_failed_at" TIMESTAMPTZ(6) NOT NULL,
    "next_retry_at" TIMESTAMPTZ(6) NOT NULL,
    "resolved_at" TIMESTAMPTZ(6),

    CONSTRAINT "sync_failed_slices_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "sync_failed_slices_slice_key" ON "sync_failed_slices"("vendor_id", "stream", "status", "created_at_from", "created_at_to");

-- AddForeignKey
ALTER TABLE "sync_failed_slices" ADD CONSTRAINT "sync_failed_slices_vendor_id_fkey" FOREIGN KEY ("vendor_id") REFERENCES "vendor_accounts"("vendor_id") ON DELETE RESTRICT ON UPDATE CASCADE;
