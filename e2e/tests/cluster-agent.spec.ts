import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { logTail, type Service, startService, stopService } from "../support/processes";
import { newAccount, signIn, signUp } from "../support/seed";
import { expect, test } from "../support/test";

const repoRoot = path.resolve(import.meta.dirname, "../..");

/** Starts one simulated cluster with its CLI and waits for the line that names its kubeconfig. */
async function startSimulatedCluster(
  name: string,
  directory: string,
): Promise<{ service: Service; kubeconfig: string }> {
  const service = startService({
    name: "cluster-sim",
    command: process.execPath,
    args: [
      "packages/cluster-sim/bin/switchyard-sim.js",
      "--clusters",
      "1",
      "--names",
      name,
      "--kubeconfig-dir",
      directory,
    ],
    cwd: repoRoot,
    env: process.env,
    logPath: path.join(directory, "sim.log"),
  });
  const kubeconfig = await new Promise<string>((resolve, reject) => {
    let output = "";
    service.process.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /kubeconfig=(\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    service.process.once("exit", (code) =>
      reject(new Error(`switchyard-sim exited with ${code}: ${logTail(service)}`)),
    );
  });
  return { service, kubeconfig };
}

test("[CLUSTERS]: connect a cluster, run its line's token with an agent, and watch it turn connected with its inventory", async ({
  page,
  baseURL,
}) => {
  const owner = newAccount("Operator");
  const { organizationSlug } = await signUp(page.request, owner, { organizationName: "Agent Journey Org" });
  await signIn(page.request, owner);
  const workDirectory = mkdtempSync(path.join(tmpdir(), "sy-e2e-agent-"));
  const services: Service[] = [];

  try {
    let token = "";
    await test.step("connect a cluster and read the token from the line shown", async () => {
      await page.goto(`/o/${organizationSlug}/clusters`);
      await page.getByTestId("clusters-connect-cta").click();
      await page.getByTestId("cluster-name").fill("edge-eu-1");
      await page.getByTestId("cluster-label-key").last().fill("region");
      await page.getByTestId("cluster-label-value").last().fill("eu-central-1");
      await page.getByTestId("connect-submit").click();
      const command = (await page.getByTestId("install-command").textContent()) ?? "";
      token = /\/install\/([\w-]+)\.yaml/.exec(command)?.[1] ?? "";
      expect(token.length).toBeGreaterThan(20);
      await expect(page.getByTestId("install-waiting")).toBeVisible();
    });

    await test.step("run the agent with that token against a simulated cluster, through the console's URL", async () => {
      const sim = await startSimulatedCluster("edge-eu-1-sim", workDirectory);
      services.push(sim.service);
      // The agent only knows the console's public URL, as in a customer's cluster.
      services.push(
        startService({
          name: "cluster-agent",
          command: process.execPath,
          args: [
            "apps/cluster-agent/bin/switchyard-agent.js",
            "--api",
            baseURL ?? "",
            "--token",
            token,
            "--kubeconfig",
            sim.kubeconfig,
            "--state-file",
            path.join(workDirectory, "agent-state.json"),
          ],
          cwd: repoRoot,
          env: process.env,
          logPath: path.join(workDirectory, "agent.log"),
        }),
      );
    });

    await test.step("the waiting line turns connected without a reload", async () => {
      await expect(page.getByTestId("install-connected")).toBeVisible({ timeout: 60_000 });
    });

    await test.step("the card shows connected, the versions and the cluster's counts", async () => {
      await page.getByTestId("connect-done").click();
      const card = page.getByTestId("cluster-card").filter({ hasText: "edge-eu-1" });
      await expect(card.getByTestId("cluster-status")).toHaveAttribute("data-status", "connected");
      await expect(card.getByTestId("cluster-kubernetes-version")).toHaveText("v1.28.7");
      await expect(card.getByTestId("cluster-mesh")).toContainText("1.30.3");
      // The sample application: 7 namespaces, 17 workloads.
      await expect(card.getByTestId("count-namespaces")).toHaveText("7");
      await expect(card.getByTestId("count-workloads")).toHaveText("17");
    });

    await test.step("the cluster's workloads show versions and sidecar status", async () => {
      await page
        .getByTestId("cluster-card")
        .filter({ hasText: "edge-eu-1" })
        .getByTestId("cluster-name-link")
        .click();
      await page.getByTestId("tab-Workload").click();
      await page.getByTestId("inventory-search").fill("reviews");
      await expect(page.getByTestId("inventory-name")).toHaveText(["reviews-v1", "reviews-v2", "reviews-v3"]);
      await page.getByTestId("inventory-search").fill("postgres");
      await expect(page.getByTestId("workload-sidecar")).toHaveText(["Not injected"]);
    });
  } finally {
    for (const service of services.reverse()) await stopService(service);
  }
});
