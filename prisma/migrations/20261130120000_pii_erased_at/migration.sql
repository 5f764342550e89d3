-- PII retention (PII_RETENTION_DAYS, packages/db `erasePersonalData`): when the buyer's personal
-- data of a delivered or closed box, receipt or exchange was erased. While set, the sync's upsert
-- keeps that data erased: a later read of the same entity writes its order facts but not its
-- names, phone numbers and addresses, in the columns or in `raw`.
ALTER TABLE "shipment_boxes" ADD COLUMN "pii_erased_at" TIMESTAMPTZ(6);
ALTER TABLE "return_requests" ADD COLUMN "pii_erased_at" TIMESTAMPTZ(6);
ALTER TABLE "exchange_requests" ADD COLUMN "pii_erased_at" TIMESTAMPTZ(6);
