-- CreateTable
CREATE TABLE "return_requests" (
    "receipt_id" BIGINT NOT NULL,
    "vendor_id" TEXT NOT NULL,
    "order_id" BIGINT,
    "payment_id" BIGINT,
    "receipt_type" TEXT,
    "receipt_status" TEXT NOT NULL,
    "requested_at" TIMESTAMPTZ(6),
    "modified_at" TIMESTAMPTZ(6),
    "requester_name" TEXT,
    "requester_phone_number" TEXT,
    "requester_address" TEXT,
    "requester_address_detail" TEXT,
    "requester_zip_code" TEXT,
    "cancel_reason_category1" TEXT,
    "cancel_reason_category2" TEXT,
    "cancel_reason" TEXT,
    "cancel_count_sum" INTEGER,
    "return_delivery_id" BIGINT,
    "return_delivery_type" TEXT,
    "release_stop_status" TEXT,
    "fault_by_type" TEXT,
    "pre_refund" BOOLEAN,
    "complete_confirm_type" TEXT,
    "complete_confirmed_at" TIMESTAMPTZ(6),
    "reason_code" TEXT,
    "reason_code_text" TEXT,
    "return_shipping_charge" BIGINT,
    "withdrawn_at" TIMESTAMPTZ(6),
    "raw" JSONB NOT NULL,
    "raw_hash" CHAR(64) NOT NULL,
    "first_seen_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "return_requests_pkey" PRIMARY KEY ("receipt_id")
);

-- CreateTable
CREATE TABLE "return_items" (
    "receipt_id" BIGINT NOT NULL,
    "vendor_item_id" BIGINT NOT NULL,
    "vendor_id" TEXT NOT NULL,
    "shipment_box_id" BIGINT,
    "vendor_item_name" TEXT,
    "vendor_item_package_id" BIGINT,
    "vendor_item_package_name" TEXT,
    "seller_product_id" BIGINT,
    "seller_product_name" TEXT,
    "purchase_count" INTEGER,
    "cancel_count" INTEGER,
    "release_status" TEXT,
    "cancel_complete_user" TEXT,
    "raw" JSONB NOT NULL,
    "raw_hash" CHAR(64) NOT NULL,
    "first_seen_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "return_items_pkey" PRIMARY KEY ("receipt_id","vendor_item_id")
);

-- CreateTable
CREATE TABLE "return_withdrawals" (
    "cancel_id" BIGINT NOT NULL,
    "vendor_id" TEXT NOT NULL,
    "order_id" BIGINT,
    "refund_delivery_duty" TEXT,
    "withdrawn_at" TIMESTAMPTZ(6),
    "vendor_item_ids" BIGINT[] DEFAULT ARRAY[]::BIGINT[],
    "raw" JSONB NOT NULL,
    "raw_hash" CHAR(64) NOT NULL,
    "first_seen_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "return_withdrawals_pkey" PRIMARY KEY ("cancel_id")
);

-- CreateTable
CREATE TABLE "exchange_requests" (
    "exchange_id" BIGINT NOT NULL,
    "vendor_id" TEXT NOT NULL,
    "order_id" BIGINT,
    "exchange_status" TEXT NOT NULL,
    "order_delivery_status_code" TEXT,
    "refer_type" TEXT,
    "fault_type" TEXT,
    "exchange_amount" BIGINT,
    "reason_code" TEXT,
    "reason_code_text" TEXT,
    "reason_etc_detail" TEXT,
    "cancel_reason" TEXT,
    "created_by_type" TEXT,
    "modified_by_type" TEXT,
    "requested_at" TIMESTAMPTZ(6),
    "modified_at" TIMESTAMPTZ(6),
    "collect_status" TEXT,
    "delivery_status" TEXT,
    "collect_completed_at" TIMESTAMPTZ(6),
    "new_shipment_box_id" BIGINT,
    "successable" BOOLEAN,
    "rejectable" BOOLEAN,
    "delivery_invoice_modifiable" BOOLEAN,
    "raw" JSONB NOT NULL,
    "raw_hash" CHAR(64) NOT NULL,
    "first_seen_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "exchange_requests_pkey" PRIMARY KEY ("exchange_id")
);

-- CreateTable
CREATE TABLE "exchange_items" (
    "exchange_item_id" BIGINT NOT NULL,
    "exchange_id" BIGINT NOT NULL,
    "vendor_id" TEXT NOT NULL,
    "order_item_id" BIGINT,
    "order_item_unit_price" BIGINT,
    "order_item_name" TEXT,
    "order_package_id" BIGINT,
    "order_package_name" TEXT,
    "target_item_id" BIGINT,
    "target_item_unit_price" BIGINT,
    "target_item_name" TEXT,
    "target_package_id" BIGINT,
    "target_package_name" TEXT,
    "quantity" INTEGER,
    "order_item_delivery_complete" BOOLEAN,
    "order_item_return_complete" BOOLEAN,
    "target_item_delivery_complete" BOOLEAN,
    "requested_at" TIMESTAMPTZ(6),
    "modified_at" TIMESTAMPTZ(6),
    "original_shipment_box_id" BIGINT,
    "raw" JSONB NOT NULL,
    "raw_hash" CHAR(64) NOT NULL,
    "first_seen_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "exchange_items_pkey" PRIMARY KEY ("exchange_item_id")
);

-- CreateIndex
CREATE INDEX "return_requests_vendor_id_receipt_status_requested_at_idx" ON "return_requests"("vendor_id", "receipt_status", "requested_at");

-- CreateIndex
CREATE INDEX "return_requests_order_id_idx" ON "return_requests"("order_id");

-- CreateIndex
CREATE INDEX "return_items_shipment_box_id_idx" ON "return_items"("shipment_box_id");

-- CreateIndex
CREATE INDEX "return_withdrawals_order_id_idx" ON "return_withdrawals"("order_id");

-- CreateIndex
CREATE INDEX "exchange_requests_vendor_id_exchange_status_requested_at_idx" ON "exchange_requests"("vendor_id", "exchange_status", "requested_at");

-- CreateIndex
CREATE INDEX "exchange_requests_order_id_idx" ON "exchange_requests"("order_id");

-- CreateIndex
CREATE INDEX "exchange_requests_new_shipment_box_id_idx" ON "exchange_requests"("new_shipment_box_id");

-- CreateIndex
CREATE INDEX "exchange_items_exchange_id_idx" ON "exchange_items"("exchange_id");

-- CreateIndex
CREATE INDEX "exchange_items_original_shipment_box_id_idx" ON "exchange_items"("original_shipment_box_id");

-- AddForeignKey
ALTER TABLE "return_requests" ADD CONSTRAINT "return_requests_vendor_id_fkey" FOREIGN KEY ("vendor_id") REFERENCES "vendor_accounts"("vendor_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "return_items" ADD CONSTRAINT "return_items_receipt_id_fkey" FOREIGN KEY ("receipt_id") REFERENCES "return_requests"("receipt_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "return_withdrawals" ADD CONSTRAINT "return_withdrawals_vendor_id_fkey" FOREIGN KEY ("vendor_id") REFERENCES "vendor_accounts"("vendor_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "exchange_requests" ADD CONSTRAINT "exchange_requests_vendor_id_fkey" FOREIGN KEY ("vendor_id") REFERENCES "vendor_accounts"("vendor_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "exchange_items" ADD CONSTRAINT "exchange_items_exchange_id_fkey" FOREIGN KEY ("exchange_id") REFERENCES "exchange_requests"("exchange_id") ON DELETE CASCADE ON UPDATE CASCADE;
