-- CreateTable
CREATE TABLE "vendor_accounts" (
    "vendor_id" TEXT NOT NULL,
    "name" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "vendor_accounts_pkey" PRIMARY KEY ("vendor_id")
);

-- CreateTable
CREATE TABLE "shipment_boxes" (
    "shipment_box_id" BIGINT NOT NULL,
    "vendor_id" TEXT NOT NULL,
    "order_id" BIGINT NOT NULL,
    "status" TEXT NOT NULL,
    "ordered_at" TIMESTAMPTZ(6),
    "paid_at" TIMESTAMPTZ(6),
    "orderer_name" TEXT,
    "orderer_email" TEXT,
    "orderer_safe_number" TEXT,
    "receiver_name" TEXT,
    "receiver_safe_number" TEXT,
    "receiver_addr1" TEXT,
    "receiver_addr2" TEXT,
    "receiver_post_code" TEXT,
    "shipping_price" BIGINT,
    "remote_price" BIGINT,
    "remote_area" BOOLEAN,
    "parcel_print_message" TEXT,
    "split_shipping" BOOLEAN,
    "able_split_shipping" BOOLEAN,
    "delivery_company_name" TEXT,
    "invoice_number" TEXT,
    "in_transit_at" TIMESTAMPTZ(6),
    "delivered_at" TIMESTAMPTZ(6),
    "refer" TEXT,
    "shipment_type" TEXT,
    "raw" JSONB NOT NULL,
    "raw_hash" CHAR(64) NOT NULL,
    "first_seen_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "shipment_boxes_pkey" PRIMARY KEY ("shipment_box_id")
);

-- CreateTable
CREATE TABLE "order_items" (
    "shipment_box_id" BIGINT NOT NULL,
    "vendor_item_id" BIGINT NOT NULL,
    "vendor_id" TEXT NOT NULL,
    "order_id" BIGINT NOT NULL,
    "vendor_item_name" TEXT,
    "vendor_item_package_id" BIGINT,
    "vendor_item_package_name" TEXT,
    "product_id" BIGINT,
    "seller_product_id" BIGINT,
    "seller_product_name" TEXT,
    "seller_product_item_name" TEXT,
    "first_seller_product_item_name" TEXT,
    "external_vendor_sku_code" TEXT,
    "shipping_count" INTEGER NOT NULL,
    "cancel_count" INTEGER NOT NULL DEFAULT 0,
    "hold_count_for_cancel" INTEGER NOT NULL DEFAULT 0,
    "sales_price" BIGINT,
    "order_price" BIGINT,
    "discount_price" BIGINT,
    "instant_coupon_discount" BIGINT,
    "downloadable_coupon_discount" BIGINT,
    "coupang_discount" BIGINT,
    "estimated_shipping_date" DATE,
    "planned_shipping_date" DATE,
    "invoice_number_upload_at" TIMESTAMPTZ(6),
    "confirmed_at" TIMESTAMPTZ(6),
    "delivery_charge_type_name" TEXT,
    "pricing_badge" BOOLEAN,
    "used_product" BOOLEAN,
    "up_bundle_item" BOOLEAN,
    "canceled" BOOLEAN,
    "raw" JSONB NOT NULL,
    "raw_hash" CHAR(64) NOT NULL,
    "first_seen_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "order_items_pkey" PRIMARY KEY ("shipment_box_id","vendor_item_id")
);

-- CreateTable
CREATE TABLE "sync_checkpoints" (
    "vendor_id" TEXT NOT NULL,
    "stream" TEXT NOT NULL,
    "synced_through" TIMESTAMPTZ(6),
    "cursor" JSONB,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sync_checkpoints_pkey" PRIMARY KEY ("vendor_id","stream")
);

-- CreateTable
CREATE TABLE "sync_runs" (
    "id" BIGSERIAL NOT NULL,
    "vendor_id" TEXT NOT NULL,
    "stream" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(6),
    "plan" JSONB,
    "windows" INTEGER NOT NULL DEFAULT 0,
    "pages" INTEGER NOT NULL DEFAULT 0,
    "api_calls" INTEGER NOT NULL DEFAULT 0,
    "rows_upserted" INTEGER NOT NULL DEFAULT 0,
    "rows_rejected" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,

    CONSTRAINT "sync_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "quarantined_records" (
    "id" BIGSERIAL NOT NULL,
    "vendor_id" TEXT NOT NULL,
    "stream" TEXT NOT NULL,
    "entity_key" TEXT,
    "reason" TEXT NOT NULL,
    "raw" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "quarantined_records_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "shipment_boxes_vendor_id_status_ordered_at_idx" ON "shipment_boxes"("vendor_id", "status", "ordered_at");

-- CreateIndex
CREATE INDEX "shipment_boxes_order_id_idx" ON "shipment_boxes"("order_id");

-- CreateIndex
CREATE INDEX "order_items_vendor_id_vendor_item_id_idx" ON "order_items"("vendor_id", "vendor_item_id");

-- CreateIndex
CREATE INDEX "sync_runs_vendor_id_stream_started_at_idx" ON "sync_runs"("vendor_id", "stream", "started_at");

-- CreateIndex
CREATE INDEX "quarantined_records_vendor_id_stream_received_at_idx" ON "quarantined_records"("vendor_id", "stream", "received_at");

-- AddForeignKey
ALTER TABLE "shipment_boxes" ADD CONSTRAINT "shipment_boxes_vendor_id_fkey" FOREIGN KEY ("vendor_id") REFERENCES "vendor_accounts"("vendor_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "order_items" ADD CONSTRAINT "order_items_shipment_box_id_fkey" FOREIGN KEY ("shipment_box_id") REFERENCES "shipment_boxes"("shipment_box_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sync_checkpoints" ADD CONSTRAINT "sync_checkpoints_vendor_id_fkey" FOREIGN KEY ("vendor_id") REFERENCES "vendor_accounts"("vendor_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_vendor_id_fkey" FOREIGN KEY ("vendor_id") REFERENCES "vendor_accounts"("vendor_id") ON DELETE RESTRICT ON UPDATE CASCADE;
