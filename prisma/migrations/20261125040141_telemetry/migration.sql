-- CreateTable
CREATE TABLE "telemetry_edges_10s" (
    "organization_id" TEXT NOT NULL,
    "cluster_id" TEXT NOT NULL,
    "bucket_start" TIMESTAMPTZ(3) NOT NULL,
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

    CONSTRAINT "telemetry_edges_10s_pkey" PRIMARY KEY ("organization_id","bucket_start","cluster_id","edge_key")
);

-- CreateTable
CREATE TABLE "telemetry_edges_1m" (
    "organization_id" TEXT NOT NULL,
    "cluster_id" TEXT NOT NULL,
    "bucket_start" TIMESTAMPTZ(3) NOT NULL,
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

    CONSTRAINT "telemetry_edges_1m_pkey" PRIMARY KEY ("organization_id","bucket_start","cluster_id","edge_key")
);

-- CreateTable
CREATE TABLE "telemetry_edges_1h" (
    "organization_id" TEXT NOT NULL,
    "cluster_id" TEXT NOT NULL,
    "bucket_start" TIMESTAMPTZ(3) NOT NULL,
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

    CONSTRAINT "telemetry_edges_1h_pkey" PRIMARY KEY ("organization_id","bucket_start","cluster_id","edge_key")
);

-- CreateTable
CREATE TABLE "telemetry_batches" (
    "cluster_id" TEXT NOT NULL,
    "batch_id" TEXT NOT NULL,
    "edge_count" INTEGER NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "telemetry_batches_pkey" PRIMARY KEY ("cluster_id","batch_id")
);

-- CreateIndex
CREATE INDEX "telemetry_edges_10s_bucket_start_idx" ON "telemetry_edges_10s" USING BRIN ("bucket_start");

-- CreateIndex
CREATE INDEX "telemetry_edges_1m_bucket_start_idx" ON "telemetry_edges_1m" USING BRIN ("bucket_start");

-- CreateIndex
CREATE INDEX "telemetry_edges_1h_bucket_start_idx" ON "telemetry_edges_1h" USING BRIN ("bucket_start");

-- CreateIndex
CREATE INDEX "telemetry_batches_received_at_idx" ON "telemetry_batches"("received_at");

-- AddForeignKey
ALTER TABLE "telemetry_batches" ADD CONSTRAINT "telemetry_batches_cluster_id_fkey" FOREIGN KEY ("cluster_id") REFERENCES "clusters"("id") ON DELETE CASCADE ON UPDATE CASCADE;
