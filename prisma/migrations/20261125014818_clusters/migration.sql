-- CreateEnum
CREATE TYPE "ClusterState" AS ENUM ('pending', 'active');

-- CreateTable
CREATE TABLE "clusters" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "state" "ClusterState" NOT NULL DEFAULT 'pending',
    "agentVersion" TEXT,
    "kubernetesVersion" TEXT,
    "meshKind" TEXT,
    "meshVersion" TEXT,
    "lastSeenAt" TIMESTAMP(3),
    "connectedAt" TIMESTAMP(3),
    "inventorySequence" INTEGER NOT NULL DEFAULT 0,
    "inventorySyncedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "clusters_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "bootstrap_tokens" (
    "id" TEXT NOT NULL,
    "clusterId" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "bootstrap_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "cluster_credentials" (
    "id" TEXT NOT NULL,
    "clusterId" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "confirmedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "cluster_credentials_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "inventory_objects" (
    "clusterId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "snapshotId" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "inventory_objects_pkey" PRIMARY KEY ("clusterId","kind","namespace","name")
);

-- CreateIndex
CREATE INDEX "clusters_organizationId_state_idx" ON "clusters"("organizationId", "state");

-- CreateIndex
CREATE UNIQUE INDEX "clusters_organizationId_name_key" ON "clusters"("organizationId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "bootstrap_tokens_tokenHash_key" ON "bootstrap_tokens"("tokenHash");

-- CreateIndex
CREATE INDEX "bootstrap_tokens_clusterId_idx" ON "bootstrap_tokens"("clusterId");

-- CreateIndex
CREATE UNIQUE INDEX "cluster_credentials_secretHash_key" ON "cluster_credentials"("secretHash");

-- CreateIndex
CREATE INDEX "cluster_credentials_clusterId_idx" ON "cluster_credentials"("clusterId");

-- AddForeignKey
ALTER TABLE "clusters" ADD CONSTRAINT "clusters_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bootstrap_tokens" ADD CONSTRAINT "bootstrap_tokens_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "clusters"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cluster_credentials" ADD CONSTRAINT "cluster_credentials_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "clusters"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inventory_objects" ADD CONSTRAINT "inventory_objects_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "clusters"("id") ON DELETE CASCADE ON UPDATE CASCADE;
