-- AlterTable
ALTER TABLE "clusters" ADD COLUMN     "repairDrift" BOOLEAN NOT NULL DEFAULT true;

-- CreateTable
CREATE TABLE "policies" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "currentRevision" INTEGER NOT NULL DEFAULT 0,
    "deletedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "policies_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "policy_revisions" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "policyId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "yaml" TEXT NOT NULL,
    "document" JSONB,
    "isDeletion" BOOLEAN NOT NULL DEFAULT false,
    "restoredFrom" INTEGER,
    "changeSetId" TEXT NOT NULL,
    "authorUserId" TEXT,
    "authorLabel" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "policy_revisions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "change_sets" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "authorUserId" TEXT,
    "authorLabel" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "change_sets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbox" (
    "seq" SERIAL NOT NULL,
    "organizationId" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "enqueuedAt" TIMESTAMP(3),
    "processedAt" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "desired_config_versions" (
    "id" TEXT NOT NULL,
    "clusterId" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "contentHash" TEXT NOT NULL,
    "resources" JSONB NOT NULL,
    "diagnostics" JSONB NOT NULL DEFAULT '[]',
    "changeSetId" TEXT,
    "cause" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reachedAt" TIMESTAMP(3),

    CONSTRAINT "desired_config_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "cluster_config_status" (
    "clusterId" TEXT NOT NULL,
    "reportedVersion" INTEGER NOT NULL,
    "reachedVersion" INTEGER NOT NULL,
    "reportedAt" TIMESTAMP(3) NOT NULL,
    "results" JSONB NOT NULL DEFAULT '[]',
    "drift" JSONB NOT NULL DEFAULT '[]',
    "driftReportedAt" TIMESTAMP(3),

    CONSTRAINT "cluster_config_status_pkey" PRIMARY KEY ("clusterId")
);

-- CreateIndex
CREATE INDEX "policies_organizationId_deletedAt_idx" ON "policies"("organizationId", "deletedAt");

-- CreateIndex
CREATE UNIQUE INDEX "policies_organizationId_name_key" ON "policies"("organizationId", "name");

-- CreateIndex
CREATE INDEX "policy_revisions_organizationId_createdAt_idx" ON "policy_revisions"("organizationId", "createdAt");

-- CreateIndex
CREATE INDEX "policy_revisions_changeSetId_idx" ON "policy_revisions"("changeSetId");

-- CreateIndex
CREATE UNIQUE INDEX "policy_revisions_policyId_number_key" ON "policy_revisions"("policyId", "number");

-- CreateIndex
CREATE INDEX "change_sets_organizationId_createdAt_idx" ON "change_sets"("organizationId", "createdAt");

-- CreateIndex
CREATE INDEX "outbox_processedAt_organizationId_idx" ON "outbox"("processedAt", "organizationId");

-- CreateIndex
CREATE INDEX "desired_config_versions_organizationId_idx" ON "desired_config_versions"("organizationId");

-- CreateIndex
CREATE UNIQUE INDEX "desired_config_versions_clusterId_version_key" ON "desired_config_versions"("clusterId", "version");

-- AddForeignKey
ALTER TABLE "policies" ADD CONSTRAINT "policies_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "policy_revisions" ADD CONSTRAINT "policy_revisions_policyId_fkey" FOREIGN KEY ("policyId") REFERENCES "policies"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "policy_revisions" ADD CONSTRAINT "policy_revisions_changeSetId_fkey" FOREIGN KEY ("changeSetId") REFERENCES "change_sets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "change_sets" ADD CONSTRAINT "change_sets_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "desired_config_versions" ADD CONSTRAINT "desired_config_versions_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "clusters"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "desired_config_versions" ADD CONSTRAINT "desired_config_versions_changeSetId_fkey" FOREIGN KEY ("changeSetId") REFERENCES "change_sets"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cluster_config_status" ADD CONSTRAINT "cluster_config_status_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "clusters"("id") ON DELETE CASCADE ON UPDATE CASCADE;
