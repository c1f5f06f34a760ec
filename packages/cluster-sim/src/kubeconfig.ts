import { writeFile } from "node:fs/promises";
import { stringify } from "yaml";

/**
 * A kubeconfig for one simulated cluster. The server speaks plain HTTP, so the cluster entry
 * carries insecure-skip-tls-verify (client-node refuses an http:// server without it).
 */
export function kubeconfigYaml(options: { name: string; server: string; token?: string }): string {
  const user = options.token === undefined ? {} : { token: options.token };
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: options.name, cluster: { server: options.server, "insecure-skip-tls-verify": true } }],
    users: [{ name: `${options.name}-admin`, user }],
    contexts: [
      {
        name: options.name,
        context: { cluster: options.name, user: `${options.name}-admin`, namespace: "default" },
      },
    ],
    "current-context": options.name,
    preferences: {},
  });
}

export async function writeKubeconfig(
  path: string,
  options: { name: string; server: string; token?: string },
) {
  await writeFile(path, kubeconfigYaml(options), { mode: 0o600 });
}
