-- CreateTable
CREATE TABLE "sync_leases" (
    "vendor_id" TEXT NOT NULL,
    "stream" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "sync_leases_pkey" PRIMARY KEY ("vendor_id","stream")
);
