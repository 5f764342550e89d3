-- CreateTable
CREATE TABLE "change_events" (
    "id" BIGSERIAL NOT NULL,
    "vendor_id" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "entity_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "old_status" TEXT,
    "new_status" TEXT,
    "changed_fields" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "detected_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "change_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "change_events_vendor_id_entity_entity_id_idx" ON "change_events"("vendor_id", "entity", "entity_id");

-- CreateIndex
CREATE INDEX "change_events_detected_at_idx" ON "change_events"("detected_at");
