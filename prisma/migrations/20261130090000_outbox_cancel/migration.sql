-- CANCEL commands (coupang-api.md §5.1) join the SQL contract of outbox_commands (docs/database.md):
-- a consumer names payload {"middleCancelCode", "userId"} and, to cancel less than the whole box,
-- "items": [{"vendorItemId": "<digits>", "receiptCount": n}, …]. Left out, dedupe_key is built
-- exactly as enqueueCommand (@cos/outbox) builds it: CANCEL:<shipmentBoxId>:<vendorItemIds
-- ascending, comma-separated; empty for the whole box>: . Codes, counts and IDs are checked by
-- the worker before anything is sent: a command that fails them is rejected with INVALID_COMMAND.
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
    IF NEW."kind" = 'CANCEL' THEN
        IF jsonb_typeof(NEW."payload" -> 'middleCancelCode') IS DISTINCT FROM 'string' THEN
            RAISE EXCEPTION 'outbox_commands: CANCEL needs payload.middleCancelCode as text, got %',
                coalesce(NEW."payload" -> 'middleCancelCode', 'null'::jsonb)
                USING ERRCODE = 'check_violation';
        END IF;
        IF jsonb_typeof(NEW."payload" -> 'userId') IS DISTINCT FROM 'string' THEN
            RAISE EXCEPTION 'outbox_commands: CANCEL needs payload.userId as text, got %',
                coalesce(NEW."payload" -> 'userId', 'null'::jsonb)
                USING ERRCODE = 'check_violation';
        END IF;
        IF NEW."payload" ? 'items' AND jsonb_typeof(NEW."payload" -> 'items') IS DISTINCT FROM 'array' THEN
            RAISE EXCEPTION 'outbox_commands: CANCEL needs payload.items as an array or left out, got %',
                NEW."payload" -> 'items'
                USING ERRCODE = 'check_violation';
        END IF;
        IF NEW."dedupe_key" IS NULL THEN
            NEW."dedupe_key" := concat_ws(':', NEW."kind", NEW."shipment_box_id"::text,
                coalesce((SELECT string_agg(e ->> 'vendorItemId', ',' ORDER BY lpad(e ->> 'vendorItemId', 20, '0'))
                          FROM jsonb_array_elements(coalesce(NEW."payload" -> 'items', '[]'::jsonb)) AS e), ''),
                '');
        END IF;
    END IF;
    IF NEW."dedupe_key" IS NULL THEN
        NEW."dedupe_key" := concat_ws(':', NEW."kind", NEW."shipment_box_id"::text,
            coalesce(NEW."vendor_item_id"::text, ''), coalesce(NEW."payload" ->> 'invoiceNumber', ''));
    END IF;
    RETURN NEW;
END;
$$;
