-- DropIndex
DROP INDEX "desired_config_versions_organizationId_idx";

-- CreateTable
CREATE TABLE "telemetry_graph_recordings" (
    "organization_id" TEXT NOT NULL,
    "range_seconds" INTEGER NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "window_end" TIMESTAMPTZ(3) NOT NULL,
    "computed_at" TIMESTAMPTZ(3) NOT NULL,
    "graph" TEXT NOT NULL,
    "overview" TEXT,

    CONSTRAINT "telemetry_graph_recordings_pkey" PRIMARY KEY ("organization_id","range_seconds")
);

-- CreateIndex
CREATE INDEX "desired_config_versions_organizationId_createdAt_idx" ON "desired_config_versions"("organizationId", "createdAt");

-- AddForeignKey
ALTER TABLE "telemetry_graph_recordings" ADD CONSTRAINT "telemetry_graph_recordings_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
