-- CreateTable
CREATE TABLE "telemetry_edge_keys" (
    "organization_id" TEXT NOT NULL,
    "edge_key" UUID NOT NULL,
    "reporter" TEXT NOT NULL,
    "protocol" TEXT NOT NULL,
    "src_cluster" TEXT NOT NULL,
    "src_namespace" TEXT NOT NULL,
    "src_workload" TEXT NOT NULL,
    "src_app" TEXT NOT NULL,
    "src_version" TEXT NOT NULL,
    "dst_cluster" TEXT NOT NULL,
    "dst_namespace" TEXT NOT NULL,
    "dst_service" TEXT NOT NULL,
    "dst_workload" TEXT NOT NULL,
    "dst_app" TEXT NOT NULL,
    "dst_version" TEXT NOT NULL,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "telemetry_edge_keys_pkey" PRIMARY KEY ("organization_id","edge_key")
);

-- The labels move out of the bucket rows into one row per key: copy them before the columns go.
INSERT INTO "telemetry_edge_keys" (organization_id, edge_key, reporter, protocol, src_cluster, src_namespace, src_workload, src_app, src_version, dst_cluster, dst_namespace, dst_service, dst_workload, dst_app, dst_version, last_seen_at)
SELECT DISTINCT ON (organization_id, edge_key) organization_id, edge_key, reporter, protocol, src_cluster, src_namespace, src_workload, src_app, src_version, dst_cluster, dst_namespace, dst_service, dst_workload, dst_app, dst_version, max(bucket_start) OVER (PARTITION BY organization_id, edge_key)
FROM (
  select organization_id, edge_key, reporter, protocol, src_cluster, src_namespace, src_workload, src_app, src_version, dst_cluster, dst_namespace, dst_service, dst_workload, dst_app, dst_version, bucket_start from "telemetry_edges_10s"
  union all
  select organization_id, edge_key, reporter, protocol, src_cluster, src_namespace, src_workload, src_app, src_version, dst_cluster, dst_namespace, dst_service, dst_workload, dst_app, dst_version, bucket_start from "telemetry_edges_1m"
  union all
  select organization_id, edge_key, reporter, protocol, src_cluster, src_namespace, src_workload, src_app, src_version, dst_cluster, dst_namespace, dst_service, dst_workload, dst_app, dst_version, bucket_start from "telemetry_edges_5m"
  union all
  select organization_id, edge_key, reporter, protocol, src_cluster, src_namespace, src_workload, src_app, src_version, dst_cluster, dst_namespace, dst_service, dst_workload, dst_app, dst_version, bucket_start from "telemetry_edges_1h"
) AS stored
ORDER BY organization_id, edge_key;

-- Each bucket table is rebuilt without the label columns rather than altered: a dropped column
-- stays in every row as a null, and walking past 13 of them costs every read.

CREATE TABLE "telemetry_edges_10s_narrow" (
    "organization_id" TEXT NOT NULL,
    "cluster_id" TEXT NOT NULL,
    "bucket_start" TIMESTAMPTZ(3) NOT NULL,
    "edge_key" UUID NOT NULL,
    "r1xx" DOUBLE PRECISION NOT NULL,
    "r2xx" DOUBLE PRECISION NOT NULL,
    "r3xx" DOUBLE PRECISION NOT NULL,
    "r4xx" DOUBLE PRECISION NOT NULL,
    "r5xx" DOUBLE PRECISION NOT NULL,
    "r_other" DOUBLE PRECISION NOT NULL,
    "lat00" DOUBLE PRECISION NOT NULL,
    "lat01" DOUBLE PRECISION NOT NULL,
    "lat02" DOUBLE PRECISION NOT NULL,
    "lat03" DOUBLE PRECISION NOT NULL,
    "lat04" DOUBLE PRECISION NOT NULL,
    "lat05" DOUBLE PRECISION NOT NULL,
    "lat06" DOUBLE PRECISION NOT NULL,
    "lat07" DOUBLE PRECISION NOT NULL,
    "lat08" DOUBLE PRECISION NOT NULL,
    "lat09" DOUBLE PRECISION NOT NULL,
    "lat10" DOUBLE PRECISION NOT NULL,
    "lat11" DOUBLE PRECISION NOT NULL,
    "lat12" DOUBLE PRECISION NOT NULL,
    "lat13" DOUBLE PRECISION NOT NULL,
    "lat14" DOUBLE PRECISION NOT NULL,
    "lat15" DOUBLE PRECISION NOT NULL,
    "lat16" DOUBLE PRECISION NOT NULL,
    "lat17" DOUBLE PRECISION NOT NULL,
    "lat18" DOUBLE PRECISION NOT NULL,
    "lat19" DOUBLE PRECISION NOT NULL,
    "latency_sum_ms" DOUBLE PRECISION NOT NULL,
    "mtls_requests" DOUBLE PRECISION NOT NULL,
    "request_bytes" DOUBLE PRECISION NOT NULL,
    "response_bytes" DOUBLE PRECISION NOT NULL,
    "tcp_connections_opened" DOUBLE PRECISION NOT NULL,
    "tcp_sent_bytes" DOUBLE PRECISION NOT NULL,
    "tcp_received_bytes" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "telemetry_edges_10s_narrow_pkey" PRIMARY KEY ("organization_id","bucket_start","cluster_id","edge_key")
);
INSERT INTO "telemetry_edges_10s_narrow" (organization_id, cluster_id, bucket_start, edge_key, r1xx, r2xx, r3xx, r4xx, r5xx, r_other, lat00, lat01, lat02, lat03, lat04, lat05, lat06, lat07, lat08, lat09, lat10, lat11, lat12, lat13, lat14, lat15, lat16, lat17, lat18, lat19, latency_sum_ms, mtls_requests, request_bytes, response_bytes, tcp_connections_opened, tcp_sent_bytes, tcp_received_bytes) SELECT organization_id, cluster_id, bucket_start, edge_key, r1xx, r2xx, r3xx, r4xx, r5xx, r_other, lat00, lat01, lat02, lat03, lat04, lat05, lat06, lat07, lat08, lat09, lat10, lat11, lat12, lat13, lat14, lat15, lat16, lat17, lat18, lat19, latency_sum_ms, mtls_requests, request_bytes, response_bytes, tcp_connections_opened, tcp_sent_bytes, tcp_received_bytes FROM "telemetry_edges_10s";
DROP TABLE "telemetry_edges_10s";
ALTER TABLE "telemetry_edges_10s_narrow" RENAME TO "telemetry_edges_10s";
ALTER TABLE "telemetry_edges_10s" RENAME CONSTRAINT "telemetry_edges_10s_narrow_pkey" TO "telemetry_edges_10s_pkey";
CREATE INDEX "telemetry_edges_10s_bucket_start_idx" ON "telemetry_edges_10s" USING BRIN ("bucket_start");


CREATE TABLE "telemetry_edges_1m_narrow" (
    "organization_id" TEXT NOT NULL,
    "cluster_id" TEXT NOT NULL,
    "bucket_start" TIMESTAMPTZ(3) NOT NULL,
    "edge_key" UUID NOT NULL,
    "r1xx" DOUBLE PRECISION NOT NULL,
    "r2xx" DOUBLE PRECISION NOT NULL,
    "r3xx" DOUBLE PRECISION NOT NULL,
    "r4xx" DOUBLE PRECISION NOT NULL,
    "r5xx" DOUBLE PRECISION NOT NULL,
    "r_other" DOUBLE PRECISION NOT NULL,
    "lat00" DOUBLE PRECISION NOT NULL,
    "lat01" DOUBLE PRECISION NOT NULL,
    "lat02" DOUBLE PRECISION NOT NULL,
    "lat03" DOUBLE PRECISION NOT NULL,
    "lat04" DOUBLE PRECISION NOT NULL,
    "lat05" DOUBLE PRECISION NOT NULL,
    "lat06" DOUBLE PRECISION NOT NULL,
    "lat07" DOUBLE PRECISION NOT NULL,
    "lat08" DOUBLE PRECISION NOT NULL,
    "lat09" DOUBLE PRECISION NOT NULL,
    "lat10" DOUBLE PRECISION NOT NULL,
    "lat11" DOUBLE PRECISION NOT NULL,
    "lat12" DOUBLE PRECISION NOT NULL,
    "lat13" DOUBLE PRECISION NOT NULL,
    "lat14" DOUBLE PRECISION NOT NULL,
    "lat15" DOUBLE PRECISION NOT NULL,
    "lat16" DOUBLE PRECISION NOT NULL,
    "lat17" DOUBLE PRECISION NOT NULL,
    "lat18" DOUBLE PRECISION NOT NULL,
    "lat19" DOUBLE PRECISION NOT NULL,
    "latency_sum_ms" DOUBLE PRECISION NOT NULL,
    "mtls_requests" DOUBLE PRECISION NOT NULL,
    "request_bytes" DOUBLE PRECISION NOT NULL,
    "response_bytes" DOUBLE PRECISION NOT NULL,
    "tcp_connections_opened" DOUBLE PRECISION NOT NULL,
    "tcp_sent_bytes" DOUBLE PRECISION NOT NULL,
    "tcp_received_bytes" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "telemetry_edges_1m_narrow_pkey" PRIMARY KEY ("organization_id","bucket_start","cluster_id","edge_key")
);
INSERT INTO "telemetry_edges_1m_narrow" (organization_id, cluster_id, bucket_start, edge_key, r1xx, r2xx, r3xx, r4xx, r5xx, r_other, lat00, lat01, lat02, lat03, lat04, lat05, lat06, lat07, lat08, lat09, lat10, lat11, lat12, lat13, lat14, lat15, lat16, lat17, lat18, lat19, latency_sum_ms, mtls_requests, request_bytes, response_bytes, tcp_connections_opened, tcp_sent_bytes, tcp_received_bytes) SELECT organization_id, cluster_id, bucket_start, edge_key, r1xx, r2xx, r3xx, r4xx, r5xx, r_other, lat00, lat01, lat02, lat03, lat04, lat05, lat06, lat07, lat08, lat09, lat10, lat11, lat12, lat13, lat14, lat15, lat16, lat17, lat18, lat19, latency_sum_ms, mtls_requests, request_bytes, response_bytes, tcp_connections_opened, tcp_sent_bytes, tcp_received_bytes FROM "telemetry_edges_1m";
DROP TABLE "telemetry_edges_1m";
ALTER TABLE "telemetry_edges_1m_narrow" RENAME TO "telemetry_edges_1m";
ALTER TABLE "telemetry_edges_1m" RENAME CONSTRAINT "telemetry_edges_1m_narrow_pkey" TO "telemetry_edges_1m_pkey";
CREATE INDEX "telemetry_edges_1m_bucket_start_idx" ON "telemetry_edges_1m" USING BRIN ("bucket_start");


CREATE TABLE "telemetry_edges_5m_narrow" (
    "organization_id" TEXT NOT NULL,
    "cluster_id" TEXT NOT NULL,
    "bucket_start" TIMESTAMPTZ(3) NOT NULL,
    "edge_key" UUID NOT NULL,
    "r1xx" DOUBLE PRECISION NOT NULL,
    "r2xx" DOUBLE PRECISION NOT NULL,
    "r3xx" DOUBLE PRECISION NOT NULL,
    "r4xx" DOUBLE PRECISION NOT NULL,
    "r5xx" DOUBLE PRECISION NOT NULL,
    "r_other" DOUBLE PRECISION NOT NULL,
    "lat00" DOUBLE PRECISION NOT NULL,
    "lat01" DOUBLE PRECISION NOT NULL,
    "lat02" DOUBLE PRECISION NOT NULL,
    "lat03" DOUBLE PRECISION NOT NULL,
    "lat04" DOUBLE PRECISION NOT NULL,
    "lat05" DOUBLE PRECISION NOT NULL,
    "lat06" DOUBLE PRECISION NOT NULL,
    "lat07" DOUBLE PRECISION NOT NULL,
    "lat08" DOUBLE PRECISION NOT NULL,
    "lat09" DOUBLE PRECISION NOT NULL,
    "lat10" DOUBLE PRECISION NOT NULL,
    "lat11" DOUBLE PRECISION NOT NULL,
    "lat12" DOUBLE PRECISION NOT NULL,
    "lat13" DOUBLE PRECISION NOT NULL,
    "lat14" DOUBLE PRECISION NOT NULL,
    "lat15" DOUBLE PRECISION NOT NULL,
    "lat16" DOUBLE PRECISION NOT NULL,
    "lat17" DOUBLE PRECISION NOT NULL,
    "lat18" DOUBLE PRECISION NOT NULL,
    "lat19" DOUBLE PRECISION NOT NULL,
    "latency_sum_ms" DOUBLE PRECISION NOT NULL,
    "mtls_requests" DOUBLE PRECISION NOT NULL,
    "request_bytes" DOUBLE PRECISION NOT NULL,
    "response_bytes" DOUBLE PRECISION NOT NULL,
    "tcp_connections_opened" DOUBLE PRECISION NOT NULL,
    "tcp_sent_bytes" DOUBLE PRECISION NOT NULL,
    "tcp_received_bytes" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "telemetry_edges_5m_narrow_pkey" PRIMARY KEY ("organization_id","bucket_start","cluster_id","edge_key")
);
INSERT INTO "telemetry_edges_5m_narrow" (organization_id, cluster_id, bucket_start, edge_key, r1xx, r2xx, r3xx, r4xx, r5xx, r_other, lat00, lat01, lat02, lat03, lat04, lat05, lat06, lat07, lat08, lat09, lat10, lat11, lat12, lat13, lat14, lat15, lat16, lat17, lat18, lat19, latency_sum_ms, mtls_requests, request_bytes, response_bytes, tcp_connections_opened, tcp_sent_bytes, tcp_received_bytes) SELECT organization_id, cluster_id, bucket_start, edge_key, r1xx, r2xx, r3xx, r4xx, r5xx, r_other, lat00, lat01, lat02, lat03, lat04, lat05, lat06, lat07, lat08, lat09, lat10, lat11, lat12, lat13, lat14, lat15, lat16, lat17, lat18, lat19, latency_sum_ms, mtls_requests, request_bytes, response_bytes, tcp_connections_opened, tcp_sent_bytes, tcp_received_bytes FROM "telemetry_edges_5m";
DROP TABLE "telemetry_edges_5m";
ALTER TABLE "telemetry_edges_5m_narrow" RENAME TO "telemetry_edges_5m";
ALTER TABLE "telemetry_edges_5m" RENAME CONSTRAINT "telemetry_edges_5m_narrow_pkey" TO "telemetry_edges_5m_pkey";
CREATE INDEX "telemetry_edges_5m_bucket_start_idx" ON "telemetry_edges_5m" USING BRIN ("bucket_start");


CREATE TABLE "telemetry_edges_1h_narrow" (
    "organization_id" TEXT NOT NULL,
    "cluster_id" TEXT NOT NULL,
    "bucket_start" TIMESTAMPTZ(3) NOT NULL,
    "edge_key" UUID NOT NULL,
    "r1xx" DOUBLE PRECISION NOT NULL,
    "r2xx" DOUBLE PRECISION NOT NULL,
    "r3xx" DOUBLE PRECISION NOT NULL,
    "r4xx" DOUBLE PRECISION NOT NULL,
    "r5xx" DOUBLE PRECISION NOT NULL,
    "r_other" DOUBLE PRECISION NOT NULL,
    "lat00" DOUBLE PRECISION NOT NULL,
    "lat01" DOUBLE PRECISION NOT NULL,
    "lat02" DOUBLE PRECISION NOT NULL,
    "lat03" DOUBLE PRECISION NOT NULL,
    "lat04" DOUBLE PRECISION NOT NULL,
    "lat05" DOUBLE PRECISION NOT NULL,
    "lat06" DOUBLE PRECISION NOT NULL,
    "lat07" DOUBLE PRECISION NOT NULL,
    "lat08" DOUBLE PRECISION NOT NULL,
    "lat09" DOUBLE PRECISION NOT NULL,
    "lat10" DOUBLE PRECISION NOT NULL,
    "lat11" DOUBLE PRECISION NOT NULL,
    "lat12" DOUBLE PRECISION NOT NULL,
    "lat13" DOUBLE PRECISION NOT NULL,
    "lat14" DOUBLE PRECISION NOT NULL,
    "lat15" DOUBLE PRECISION NOT NULL,
    "lat16" DOUBLE PRECISION NOT NULL,
    "lat17" DOUBLE PRECISION NOT NULL,
    "lat18" DOUBLE PRECISION NOT NULL,
    "lat19" DOUBLE PRECISION NOT NULL,
    "latency_sum_ms" DOUBLE PRECISION NOT NULL,
    "mtls_requests" DOUBLE PRECISION NOT NULL,
    "request_bytes" DOUBLE PRECISION NOT NULL,
    "response_bytes" DOUBLE PRECISION NOT NULL,
    "tcp_connections_opened" DOUBLE PRECISION NOT NULL,
    "tcp_sent_bytes" DOUBLE PRECISION NOT NULL,
    "tcp_received_bytes" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "telemetry_edges_1h_narrow_pkey" PRIMARY KEY ("organization_id","bucket_start","cluster_id","edge_key")
);
INSERT INTO "telemetry_edges_1h_narrow" (organization_id, cluster_id, bucket_start, edge_key, r1xx, r2xx, r3xx, r4xx, r5xx, r_other, lat00, lat01, lat02, lat03, lat04, lat05, lat06, lat07, lat08, lat09, lat10, lat11, lat12, lat13, lat14, lat15, lat16, lat17, lat18, lat19, latency_sum_ms, mtls_requests, request_bytes, response_bytes, tcp_connections_opened, tcp_sent_bytes, tcp_received_bytes) SELECT organization_id, cluster_id, bucket_start, edge_key, r1xx, r2xx, r3xx, r4xx, r5xx, r_other, lat00, lat01, lat02, lat03, lat04, lat05, lat06, lat07, lat08, lat09, lat10, lat11, lat12, lat13, lat14, lat15, lat16, lat17, lat18, lat19, latency_sum_ms, mtls_requests, request_bytes, response_bytes, tcp_connections_opened, tcp_sent_bytes, tcp_received_bytes FROM "telemetry_edges_1h";
DROP TABLE "telemetry_edges_1h";
ALTER TABLE "telemetry_edges_1h_narrow" RENAME TO "telemetry_edges_1h";
ALTER TABLE "telemetry_edges_1h" RENAME CONSTRAINT "telemetry_edges_1h_narrow_pkey" TO "telemetry_edges_1h_pkey";
CREATE INDEX "telemetry_edges_1h_bucket_start_idx" ON "telemetry_edges_1h" USING BRIN ("bucket_start");

-- CreateTable
CREATE TABLE "telemetry_edges_15m" (
    "organization_id" TEXT NOT NULL,
    "cluster_id" TEXT NOT NULL,
    "bucket_start" TIMESTAMPTZ(3) NOT NULL,
    "edge_key" UUID NOT NULL,
    "r1xx" DOUBLE PRECISION NOT NULL,
    "r2xx" DOUBLE PRECISION NOT NULL,
    "r3xx" DOUBLE PRECISION NOT NULL,
    "r4xx" DOUBLE PRECISION NOT NULL,
    "r5xx" DOUBLE PRECISION NOT NULL,
    "r_other" DOUBLE PRECISION NOT NULL,
    "lat00" DOUBLE PRECISION NOT NULL,
    "lat01" DOUBLE PRECISION NOT NULL,
    "lat02" DOUBLE PRECISION NOT NULL,
    "lat03" DOUBLE PRECISION NOT NULL,
    "lat04" DOUBLE PRECISION NOT NULL,
    "lat05" DOUBLE PRECISION NOT NULL,
    "lat06" DOUBLE PRECISION NOT NULL,
    "lat07" DOUBLE PRECISION NOT NULL,
    "lat08" DOUBLE PRECISION NOT NULL,
    "lat09" DOUBLE PRECISION NOT NULL,
    "lat10" DOUBLE PRECISION NOT NULL,
    "lat11" DOUBLE PRECISION NOT NULL,
    "lat12" DOUBLE PRECISION NOT NULL,
    "lat13" DOUBLE PRECISION NOT NULL,
    "lat14" DOUBLE PRECISION NOT NULL,
    "lat15" DOUBLE PRECISION NOT NULL,
    "lat16" DOUBLE PRECISION NOT NULL,
    "lat17" DOUBLE PRECISION NOT NULL,
    "lat18" DOUBLE PRECISION NOT NULL,
    "lat19" DOUBLE PRECISION NOT NULL,
    "latency_sum_ms" DOUBLE PRECISION NOT NULL,
    "mtls_requests" DOUBLE PRECISION NOT NULL,
    "request_bytes" DOUBLE PRECISION NOT NULL,
    "response_bytes" DOUBLE PRECISION NOT NULL,
    "tcp_connections_opened" DOUBLE PRECISION NOT NULL,
    "tcp_sent_bytes" DOUBLE PRECISION NOT NULL,
    "tcp_received_bytes" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "telemetry_edges_15m_pkey" PRIMARY KEY ("organization_id","bucket_start","cluster_id","edge_key")
);

-- CreateIndex
CREATE INDEX "telemetry_edges_15m_bucket_start_idx" ON "telemetry_edges_15m" USING BRIN ("bucket_start");

-- CreateIndex
CREATE INDEX "telemetry_edge_keys_last_seen_at_idx" ON "telemetry_edge_keys"("last_seen_at");
