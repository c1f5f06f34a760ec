-- AlterTable
ALTER TABLE "telemetry_graph_recordings" ALTER COLUMN "graph" DROP NOT NULL;
