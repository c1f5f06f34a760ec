// The inventory's `data` is the agent protocol's object, typed as a plain record by the API. These
// read only what the console shows, tolerantly: a field an older agent did not send shows as unknown
// instead of breaking the whole table.
import { z } from "zod";

const labels = z.record(z.string(), z.string()).catch({});

export const namespaceData = z.object({
  sidecarInjection: z.boolean().nullable().catch(null),
  podCount: z.number().nullable().catch(null),
  labels,
});
export type NamespaceData = z.infer<typeof namespaceData>;

export const serviceData = z.object({
  type: z.string().catch("—"),
  ports: z
    .array(
      z.object({
        name: z.string().optional(),
        port: z.number(),
        protocol: z.string().catch("TCP"),
        targetPort: z.union([z.number(), z.string()]).optional(),
      }),
    )
    .catch([]),
  selector: labels,
});
export type ServiceData = z.infer<typeof serviceData>;

export const workloadData = z.object({
  app: z.string().nullable().catch(null),
  version: z.string().nullable().catch(null),
  replicas: z.number().nullable().catch(null),
  readyReplicas: z.number().nullable().catch(null),
  podCount: z.number().nullable().catch(null),
  sidecarInjected: z.boolean().nullable().catch(null),
});
export type WorkloadData = z.infer<typeof workloadData>;

/** `http 80→8080/TCP`: a service port as kubectl users read it. */
export function formatPort(port: ServiceData["ports"][number]): string {
  const target = port.targetPort !== undefined && port.targetPort !== port.port ? `→${port.targetPort}` : "";
  return `${port.name ? `${port.name} ` : ""}${port.port}${target}/${port.protocol}`;
}
