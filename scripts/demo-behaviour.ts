// Makes a version of the running demo slow or failing, so the graph has something to show:
//   npm run demo:behaviour -- prod-us-east bookinfo/reviews-v2 latencyMs=800 errorRate=0.3
//   npm run demo:behaviour -- prod-us-east bookinfo/reviews-v2 latencyMs=20 errorRate=0   (back to normal)
// It posts to the simulated cluster's admin endpoint, found through the demo's kubeconfig of that
// cluster (its server URL and bearer token).
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";

const usage = `usage: npm run demo:behaviour -- CLUSTER NAMESPACE/WORKLOAD [latencyMs=N] [errorRate=R]
  CLUSTER   a demo cluster: prod-us-east, prod-eu-west or staging-us-east
  WORKLOAD  a Deployment, e.g. bookinfo/reviews-v2 or shop-backend/catalog-v1
  latencyMs median own latency in ms (>= 0); errorRate share of requests answering 500 (0..1)`;

function fail(message: string): never {
  console.error(`${message}\n\n${usage}`);
  process.exit(2);
}

async function main() {
  const [cluster, target, ...settings] = process.argv.slice(2);
  if (!cluster || !target) fail("CLUSTER and NAMESPACE/WORKLOAD are required");
  const [namespace, workload] = target.split("/");
  if (!namespace || !workload) fail(`"${target}" is not NAMESPACE/WORKLOAD`);
  const change: Record<string, unknown> = { namespace, workload };
  for (const setting of settings) {
    const [key, value] = setting.split("=");
    if ((key !== "latencyMs" && key !== "errorRate") || value === undefined || Number.isNaN(Number(value)))
      fail(`"${setting}" is not latencyMs=N or errorRate=R`);
    change[key] = Number(value);
  }
  const kubeconfigPath = path.resolve(
    import.meta.dirname,
    "../var/demo/kubeconfigs",
    `${cluster}.kubeconfig`,
  );
  let kubeconfig: {
    clusters: { cluster: { server: string } }[];
    users: { user: { token?: string } }[];
  };
  try {
    kubeconfig = parse(readFileSync(kubeconfigPath, "utf8"));
  } catch {
    fail(`no demo cluster "${cluster}" (${kubeconfigPath} is missing: is \`npm run demo\` running?)`);
  }
  const server = kubeconfig.clusters[0]?.cluster.server;
  const token = kubeconfig.users[0]?.user.token;
  if (!server) fail(`${kubeconfigPath} names no server`);
  const response = await fetch(`${server}/admin/traffic/behaviour`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(change),
  }).catch((error: unknown) => fail(`the demo cluster at ${server} does not answer (${String(error)})`));
  const text = await response.text();
  if (!response.ok) fail(`the demo cluster refused: HTTP ${response.status} ${text}`);
  console.log(`${cluster} ${namespace}/${workload}: ${JSON.stringify(change)} from now on`);
}

void main();
