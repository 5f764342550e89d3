-- CreateTable
CREATE TABLE "reconcile_gaps" (
    "id" BIGSERIAL NOT NULL,
    "vendor_id" TEXT NOT NULL,
    "stream" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "status" TEXT NOT NULL,
    "remote_count" INTEGER NOT NULL,
    "local_count" INTEGER NOT NULL,
    "detected_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "refetched_at" TIMESTAMPTZ(6),
    "resolved_at" TIMESTAMPTZ(6),
    "detail" JSONB,

    CONSTRAINT "reconcile_gaps_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "reconcile_gaps_vendor_id_stream_day_idx" ON "reconcile_gaps"("vendor_id", "stream", "day");
