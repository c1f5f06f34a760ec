-- CreateTable
CREATE TABLE "telemetry_rollup_state" (
    "resolution" INTEGER NOT NULL,
    "rolled_up_to" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "telemetry_rollup_state_pkey" PRIMARY KEY ("resolution")
);
