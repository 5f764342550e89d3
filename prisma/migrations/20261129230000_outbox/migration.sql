-- CreateTable
CREATE TABLE "outbox_commands" (
    "id" BIGSERIAL NOT NULL,
    "vendor_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "shipment_box_id" BIGINT NOT NULL,
    "order_id" BIGINT NOT NULL,
    "vendor_item_id" BIGINT,
    "payload" JSONB NOT NULL DEFAULT '{}',
    "dedupe_key" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "max_attempts" INTEGER,
    "next_attempt_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_result_code" TEXT,
    "last_result_message" TEXT,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(6),

    CONSTRAINT "outbox_commands_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "outbox_commands_kind_check" CHECK ("kind" IN ('ACKNOWLEDGE', 'UPLOAD_INVOICE', 'UPDATE_INVOICE', 'CANCEL')),
    CONSTRAINT "outbox_commands_status_check" CHECK ("status" IN ('pending', 'in_flight', 'succeeded', 'rejected', 'unknown', 'dead', 'cancelled')),
    CONSTRAINT "outbox_commands_attempts_check" CHECK ("attempts" >= 0 AND ("max_attempts" IS NULL OR "max_attempts" >= 1))
);

-- CreateTable
CREATE TABLE "outbox_attempts" (
    "id" BIGSERIAL NOT NULL,
    "command_id" BIGINT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "started_at" TIMESTAMPTZ(6) NOT NULL,
    "finished_at" TIMESTAMPTZ(6) NOT NULL,
    "request" JSONB NOT NULL,
    "outcome" TEXT NOT NULL,
    "result_code" TEXT,
    "result_message" TEXT,
    "http_status" INTEGER,

    CONSTRAINT "outbox_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "outbox_commands_dedupe_key_key" ON "outbox_commands"("dedupe_key");

-- CreateIndex
CREATE INDEX "outbox_commands_vendor_id_status_next_attempt_at_idx" ON "outbox_commands"("vendor_id", "status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "outbox_commands_shipment_box_id_idx" ON "outbox_commands"("shipment_box_id");

-- CreateIndex
CREATE INDEX "outbox_attempts_command_id_idx" ON "outbox_attempts"("command_id");

-- AddForeignKey
ALTER TABLE "outbox_commands" ADD CONSTRAINT "outbox_commands_vendor_id_fkey" FOREIGN KEY ("vendor_id") REFERENCES "vendor_accounts"("vendor_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "outbox_attempts" ADD CONSTRAINT "outbox_attempts_command_id_fkey" FOREIGN KEY ("command_id") REFERENCES "outbox_commands"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The contract of a database consumer that inserts a command with SQL (docs/database.md): it names
-- vendor_id, kind, shipment_box_id, order_id, created_by and, for an invoice, payload
-- {"deliveryCompanyCode", "invoiceNumber"}; dedupe_key may be left out and is then built here
-- exactly as enqueueCommand (@cos/outbox) builds it. Carrier codes and digit rules are checked by
-- the worker before anything is sent: a command that fails them is rejected with INVALID_COMMAND.
-- OR REPLACE: functions outlive a DROP TABLE, so a re-applied (rolled-back) migration must not trip on them.
CREATE OR REPLACE FUNCTION "outbox_commands_prepare"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW."kind" IN ('UPLOAD_INVOICE', 'UPDATE_INVOICE') THEN
        IF jsonb_typeof(NEW."payload" -> 'deliveryCompanyCode') IS DISTINCT FROM 'string' THEN
            RAISE EXCEPTION 'outbox_commands: % needs payload.deliveryCompanyCode as text, got %',
                NEW."kind", coalesce(NEW."payload" -> 'deliveryCompanyCode', 'null'::jsonb)
                USING ERRCODE = 'check_violation';
        END IF;
        IF jsonb_typeof(NEW."payload" -> 'invoiceNumber') IS DISTINCT FROM 'string' THEN
            RAISE EXCEPTION 'outbox_commands: % needs payload.invoiceNumber as text, got %',
                NEW."kind", coalesce(NEW."payload" -> 'invoiceNumber', 'null'::jsonb)
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF NEW."dedupe_key" IS NULL THEN
        NEW."dedupe_key" := concat_ws(':', NEW."kind", NEW."shipment_box_id"::text,
            coalesce(NEW."vendor_item_id"::text, ''), coalesce(NEW."payload" ->> 'invoiceNumber', ''));
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER "outbox_commands_prepare" BEFORE INSERT ON "outbox_commands"
    FOR EACH ROW EXECUTE FUNCTION "outbox_commands_prepare"();

-- A new command wakes the vendor's drainer at once (payload: the vendor_id); Postgres folds
-- repeats within one transaction into one notification.
CREATE OR REPLACE FUNCTION "outbox_commands_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('coupang_outbox', NEW."vendor_id");
    RETURN NULL;
END;
$$;

CREATE TRIGGER "outbox_commands_notify" AFTER INSERT ON "outbox_commands"
    FOR EACH ROW EXECUTE FUNCTION "outbox_commands_notify"();
