-- CreateIndex
CREATE INDEX "telemetry_edges_1m_organization_id_edge_key_bucket_start_idx" ON "telemetry_edges_1m"("organization_id", "edge_key", "bucket_start");

-- CreateIndex
CREATE INDEX "telemetry_edges_5m_organization_id_edge_key_bucket_start_idx" ON "telemetry_edges_5m"("organization_id", "edge_key", "bucket_start");

-- CreateIndex
CREATE INDEX "telemetry_edges_15m_organization_id_edge_key_bucket_start_idx" ON "telemetry_edges_15m"("organization_id", "edge_key", "bucket_start");

-- CreateIndex
CREATE INDEX "telemetry_edges_1h_organization_id_edge_key_bucket_start_idx" ON "telemetry_edges_1h"("organization_id", "edge_key", "bucket_start");
