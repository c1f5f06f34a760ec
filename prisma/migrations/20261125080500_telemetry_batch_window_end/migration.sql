-- AlterTable
ALTER TABLE "telemetry_batches" ADD COLUMN     "window_end" TIMESTAMPTZ(3);
