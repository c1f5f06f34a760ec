// The demo's clusters: three simulated clusters in this process, each with its agent connected to
// the demo organization. Agents keep their credentials in var/demo/agents, so a restarted demo
// reconnects the same clusters; a cluster without a stored credential gets a fresh install line.
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import pino from "pino";
import { createCluster, createInstallLine } from "../apps/api/src/clusters/clusters";
import { startAgent } from "../apps/cluster-agent/src/start-agent";
import { startSimulatedClusters } from "../packages/cluster-sim/src/cluster";
import { createPrismaClient } from "../packages/db/src/client";
import { demoLogin } from "./demo-login";

const repoRoot = path.resolve(import.meta.dirname, "..");
const stateDir = path.join(repoRoot, "var/demo/agents");
const apiUrl = process.env.API_URL ?? "http://127.0.0.1:4000";
const databaseUrl = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/switchyard";
const publicUrl = process.env.PUBLIC_URL ?? "http://localhost:3000";
/** How often agents read and ship telemetry (the product's default is 15 s; e2e runs faster). */
const telemetryIntervalMs = Number(process.env.DEMO_TELEMETRY_INTERVAL_SECONDS ?? 15) * 1000;

const demoClusters = [
  { name: "prod-us-east", labels: { env: "prod", region: "us-east-1" } },
  { name: "prod-eu-west", labels: { env: "prod", region: "eu-west-1" } },
  { name: "staging-us-east", labels: { env: "staging", region: "us-east-1" } },
];

async function main() {
  mkdirSync(stateDir, { recursive: true });
  const prisma = createPrismaClient({ databaseUrl, maxConnections: 2 });
  const owner = await prisma.user.findUniqueOrThrow({
    where: { email: demoLogin.email },
    include: { memberships: { include: { organization: true } } },
  });
  const membership = owner.memberships.find((m) => m.role === "owner");
  if (!membership) throw new Error("the demo user owns no organization; run scripts/seed-demo.ts");
  const actor = { userId: owner.id, label: owner.email };
  const settings = { publicUrl, bootstrapTokenTtlMs: 60 * 60_000, connectedWithinMs: 30_000 };

  // Live traffic in every cluster; the US cluster's frontend calls the catalog in the EU cluster, as
  // in a multi-primary mesh, so the graph has cross-cluster edges.
  const sims = await startSimulatedClusters(
    demoClusters.map((cluster) => ({
      name: cluster.name,
      seed: "sample" as const,
      kubeconfigDir: path.join(repoRoot, "var/demo/kubeconfigs"),
      traffic: {
        isRealTime: true,
        ...(cluster.name === "prod-us-east"
          ? { remoteServices: { "shop-backend/catalog": "prod-eu-west" } }
          : {}),
      },
    })),
  );
  const logger = pino({ level: "warn", base: { service: "demo-agents" } });
  const agents = [];
  for (const [index, demo] of demoClusters.entries()) {
    const sim = sims[index];
    if (!sim) continue;
    const stateFile = path.join(stateDir, `${demo.name}.json`);
    const existing = await prisma.cluster.findUnique({
      where: { organizationId_name: { organizationId: membership.organizationId, name: demo.name } },
    });
    let bootstrapToken: string | undefined;
    if (!existing) {
      bootstrapToken = (
        await createCluster({
          prisma,
          settings,
          organizationId: membership.organizationId,
          actor,
          name: demo.name,
          labels: demo.labels,
        })
      ).bootstrapToken;
    } else if (!existsSync(stateFile)) {
      bootstrapToken = (
        await createInstallLine({
          prisma,
          settings,
          organizationId: membership.organizationId,
          actor,
          clusterId: existing.id,
        })
      ).bootstrapToken;
    }
    agents.push(
      startAgent({
        apiUrl,
        kubeconfigPath: sim.kubeconfigPath,
        stateFile,
        ...(bootstrapToken ? { bootstrapToken } : {}),
        // No Prometheus in the simulated clusters: the agent scrapes the mesh's metrics directly.
        telemetry: { metricsUrls: [`${sim.url}/metrics/istio`], intervalMs: telemetryIntervalMs },
        logger: logger.child({ cluster: demo.name }),
      }),
    );
    console.log(`demo cluster ${demo.name}: simulated API at ${sim.url}, kubeconfig ${sim.kubeconfigPath}`);
  }
  await prisma.$disconnect();

  const stop = async () => {
    await Promise.allSettled(agents.map((agent) => agent.stop()));
    await Promise.allSettled(sims.map((sim) => sim.close()));
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
