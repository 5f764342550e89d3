-- CreateTable
CREATE TABLE "resyncs" (
    "id" BIGSERIAL NOT NULL,
    "vendor_id" TEXT NOT NULL,
    "streams" TEXT[],
    "range_from" TIMESTAMPTZ(6) NOT NULL,
    "range_to" TIMESTAMPTZ(6) NOT NULL,
    "status" TEXT NOT NULL,
    "windows_total" INTEGER NOT NULL,
    "windows_done" INTEGER NOT NULL DEFAULT 0,
    "pages" INTEGER NOT NULL DEFAULT 0,
    "api_calls" INTEGER NOT NULL DEFAULT 0,
    "rows_written" INTEGER NOT NULL DEFAULT 0,
    "rejected" INTEGER NOT NULL DEFAULT 0,
    "report" JSONB,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(6),

    CONSTRAINT "resyncs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "resync_windows" (
    "resync_id" BIGINT NOT NULL,
    "index" INTEGER NOT NULL,
    "stream" TEXT NOT NULL,
    "created_at_from" TEXT NOT NULL,
    "created_at_to" TEXT NOT NULL,
    "done" BOOLEAN NOT NULL DEFAULT false,
    "pages" INTEGER NOT NULL DEFAULT 0,
    "api_calls" INTEGER NOT NULL DEFAULT 0,
    "rows_written" INTEGER NOT NULL DEFAULT 0,
    "finished_at" TIMESTAMPTZ(6),

    CONSTRAINT "resync_windows_pkey" PRIMARY KEY ("resync_id","index")
);

-- CreateIndex
CREATE INDEX "resyncs_vendor_id_status_idx" ON "resyncs"("vendor_id", "status");

-- AddForeignKey
ALTER TABLE "resync_windows" ADD CONSTRAINT "resync_windows_resync_id_fkey" FOREIGN KEY ("resync_id") REFERENCES "resyncs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
