-- The text of a command must be printable (docs/database.md, "Outbound commands"): an invoice
-- number such as E'\u001b[2J\n…' reached WING, the logs and the operator's terminal as it was.
-- The insert trigger now refuses, naming the field, the first character that is a control
-- character (C0, DEL, C1) or an invisible one that disguises text: soft hyphen, Arabic letter
-- mark, Mongolian vowel separator, zero-width and bidirectional marks and overrides, line and
-- paragraph separators, invisible operators and isolates, byte-order mark, interlinear
-- annotations, private use and tags — the set enqueueCommand (@cos/outbox) refuses too. It checks
-- created_by, a dedupe_key given, and payload.deliveryCompanyCode, invoiceNumber,
-- middleCancelCode, userId and items[].vendorItemId. NUL never reaches it (text and jsonb refuse it).

-- Raises check_violation when `value` holds such a character; `field` names it in the message.
CREATE OR REPLACE FUNCTION "outbox_commands_check_printable"("field" TEXT, "value" TEXT) RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    bad TEXT := substring("value" FROM '[\u0001-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\ue000-\uf8ff\U000e0000-\U000e007f\U000f0000-\U0010ffff]');
BEGIN
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'outbox_commands: % %: printable text: U+% at character % is a control or invisible character',
            "field", to_jsonb("value"), upper(lpad(to_hex(ascii(bad)), 4, '0')), strpos("value", bad)
            USING ERRCODE = 'check_violation';
    END IF;
END;
$$;

-- The checks of 20261130090000_outbox_cancel, then the printable text, then the dedupe key.
CREATE OR REPLACE FUNCTION "outbox_commands_prepare"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    "key" TEXT;
    "item" JSONB;
    "i" INTEGER := 0;
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
    END IF;

    PERFORM "outbox_commands_check_printable"('created_by', NEW."created_by");
    PERFORM "outbox_commands_check_printable"('dedupe_key', NEW."dedupe_key");
    FOREACH "key" IN ARRAY ARRAY['deliveryCompanyCode', 'invoiceNumber', 'middleCancelCode', 'userId'] LOOP
        IF jsonb_typeof(NEW."payload" -> "key") = 'string' THEN
            PERFORM "outbox_commands_check_printable"('payload.' || "key", NEW."payload" ->> "key");
        END IF;
    END LOOP;
    IF jsonb_typeof(NEW."payload" -> 'items') = 'array' THEN
        FOR "item" IN SELECT * FROM jsonb_array_elements(NEW."payload" -> 'items') LOOP
            IF jsonb_typeof("item" -> 'vendorItemId') = 'string' THEN
                PERFORM "outbox_commands_check_printable"(format('payload.items[%s].vendorItemId', "i"),
                    "item" ->> 'vendorItemId');
            END IF;
            "i" := "i" + 1;
        END LOOP;
    END IF;

    IF NEW."kind" = 'CANCEL' AND NEW."dedupe_key" IS NULL THEN
        NEW."dedupe_key" := concat_ws(':', NEW."kind", NEW."shipment_box_id"::text,
            coalesce((SELECT string_agg(e ->> 'vendorItemId', ',' ORDER BY lpad(e ->> 'vendorItemId', 20, '0'))
                      FROM jsonb_array_elements(coalesce(NEW."payload" -> 'items', '[]'::jsonb)) AS e), ''),
            '');
    END IF;
    IF NEW."dedupe_key" IS NULL THEN
        NEW."dedupe_key" := concat_ws(':', NEW."kind", NEW."shipment_box_id"::text,
            coalesce(NEW."vendor_item_id"::text, ''), coalesce(NEW."payload" ->> 'invoiceNumber', ''));
    END IF;
    RETURN NEW;
END;
$$;
