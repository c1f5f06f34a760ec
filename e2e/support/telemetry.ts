// Telemetry for graph journeys: a synthetic mesh (apps/api/src/telemetry/synthetic-mesh.ts) sent
// the way real agents send it. Each synthetic cluster `c<i>` becomes a cluster of the organization
// whose agent registers with its bootstrap token and POSTs its batches to the agent endpoint on the
// console's origin, so no test reaches into the database.
import type { APIRequestContext } from "@playwright/test";
import { agentPaths, type RegisterResponse, type TelemetryAck } from "@switchyard/agent-protocol/v1";
import { type SyntheticMeshOptions, syntheticMeshBatches } from "@switchyard/api/telemetry/synthetic-mesh";
import { createCluster } from "./seed";

export type MeshShape = Omit<SyntheticMeshOptions, "windowEnd" | "windowSeconds" | "seed"> & {
  seed?: string;
};

async function registerAgent(request: APIRequestContext, bootstrapToken: string): Promise<RegisterResponse> {
  const response = await request.post(agentPaths.register, {
    data: { bootstrapToken, agentVersion: "e2e-synthetic" },
  });
  if (!response.ok())
    throw new Error(`agent register failed: HTTP ${response.status()} ${await response.text()}`);
  return (await response.json()) as RegisterResponse;
}

/**
 * Creates the mesh's clusters in `orgSlug` (as the signed-in `request`, an admin) and sends
 * `windows` consecutive 60 s windows of its telemetry ending now, so a 15-minute graph shows it and
 * each series has several points. Returns the cluster names.
 */
export async function sendSyntheticMesh(
  request: APIRequestContext,
  orgSlug: string,
  shape: MeshShape,
  options: { windows?: number } = {},
): Promise<string[]> {
  const windows = options.windows ?? 3;
  const windowSeconds = 60;
  const names = Array.from({ length: shape.clusters }, (_, index) => `c${index}`);
  const credentials = new Map<string, string>();
  for (const name of names) {
    const { bootstrapToken } = await createCluster(request, orgSlug, name, { env: "e2e" });
    credentials.set(name, (await registerAgent(request, bootstrapToken)).credential);
  }
  // Whole windows, aligned to the storage's 10 s buckets, the last ending just before now.
  const lastEnd = Math.floor(Date.now() / 10_000) * 10_000;
  for (let window = windows - 1; window >= 0; window--) {
    const batches = syntheticMeshBatches({
      ...shape,
      seed: shape.seed ?? "e2e-graph",
      windowEnd: lastEnd - window * windowSeconds * 1000,
      windowSeconds,
    });
    for (const { cluster, batch } of batches) {
      const credential = credentials.get(cluster);
      if (!credential) throw new Error(`synthetic batch for unknown cluster ${cluster}`);
      const response = await request.post(agentPaths.telemetry, {
        data: batch,
        headers: { authorization: `Bearer ${credential}` },
      });
      if (!response.ok()) {
        throw new Error(
          `telemetry batch of ${cluster} failed: HTTP ${response.status()} ${await response.text()}`,
        );
      }
      const ack = (await response.json()) as TelemetryAck;
      if (ack.isDuplicate) throw new Error(`telemetry batch of ${cluster} was taken for a duplicate`);
    }
  }
  return names;
}
