// The agent protocol through the console's origin, spoken by the test itself (the real agent and a
// simulated cluster are the [CLUSTERS] agent journey's): register, hello, an inventory snapshot, and
// the events stream, which must arrive unbuffered and close upstream when the agent goes away.
import { createCluster, newAccount, signIn, signUp } from "../support/seed";
import { expect, test } from "../support/test";

const labels = (app: string) => ({ app });

function workload(namespace: string, name: string, version: string, sidecarInjected: boolean, ready: number) {
  return {
    kind: "Deployment",
    namespace,
    name,
    labels: labels(name),
    app: name.replace(/-v\d+$/, ""),
    version,
    serviceAccount: name,
    replicas: 2,
    readyReplicas: ready,
    podCount: 2,
    sidecarInjected,
  };
}

/** Reads the stream until `text` arrives; fails if it does not within `timeoutMs` (a buffering relay). */
async function readUntil(body: ReadableStream<Uint8Array>, text: string, timeoutMs: number): Promise<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let received = "";
  const deadline = Date.now() + timeoutMs;
  try {
    while (!received.includes(text)) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      const chunk = await Promise.race([
        reader.read(),
        new Promise<null>((resolve) => setTimeout(() => resolve(null), remaining)),
      ]);
      if (!chunk || chunk.done) break;
      received += decoder.decode(chunk.value, { stream: true });
    }
  } finally {
    reader.releaseLock();
  }
  return received;
}

test("[CLUSTERS]: an agent connecting through the console's origin turns the card connected and fills the cluster page", async ({
  page,
  baseURL,
}) => {
  const owner = newAccount("Owner");
  const { organizationSlug } = await signUp(page.request, owner, { organizationName: "Agent Relay Org" });
  await signIn(page.request, owner);
  const { clusterId, bootstrapToken } = await createCluster(
    page.request,
    organizationSlug,
    "staging-us-east-1",
    {
      env: "staging",
    },
  );
  await page.goto(`/o/${organizationSlug}/clusters`);
  const card = page.getByTestId("cluster-card").filter({ hasText: "staging-us-east-1" });
  await expect(card.getByTestId("cluster-status")).toHaveAttribute("data-status", "pending");

  const agentUrl = (path: string) => new URL(`/agent/v1/${path}`, baseURL).toString();
  let credential = "";
  await test.step("the agent registers, says hello and sends its inventory through the console", async () => {
    const registered = await fetch(agentUrl("register"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ bootstrapToken, agentVersion: "0.1.0-e2e" }),
    });
    expect(registered.status).toBe(200);
    credential = ((await registered.json()) as { credential: string }).credential;
    const auth = { "content-type": "application/json", authorization: `Bearer ${credential}` };
    const hello = await fetch(agentUrl("hello"), {
      method: "POST",
      headers: auth,
      body: JSON.stringify({
        agentVersion: "0.1.0-e2e",
        kubernetesVersion: "v1.28.3",
        mesh: { kind: "istio", version: "1.22.1" },
      }),
    });
    expect(hello.status).toBe(200);
    const inventory = await fetch(agentUrl("inventory"), {
      method: "POST",
      headers: auth,
      body: JSON.stringify({
        sequence: 1,
        snapshot: { id: "e2e-1", isFinal: true },
        upserts: [
          { kind: "Namespace", name: "bookinfo", labels: {}, sidecarInjection: true, podCount: 6 },
          { kind: "Namespace", name: "legacy", labels: {}, sidecarInjection: false, podCount: 2 },
          {
            kind: "Service",
            namespace: "bookinfo",
            name: "reviews",
            labels: labels("reviews"),
            selector: labels("reviews"),
            type: "ClusterIP",
            ports: [{ name: "http", port: 9080, protocol: "TCP", targetPort: 9080 }],
          },
          workload("bookinfo", "reviews-v1", "v1", true, 2),
          workload("bookinfo", "reviews-v2", "v2", true, 1),
          workload("legacy", "billing", "v1", false, 2),
        ],
        deletes: [],
      }),
    });
    expect(inventory.status).toBe(200);
  });

  const events = new AbortController();
  await test.step("the events stream arrives unbuffered and the card turns connected live", async () => {
    const stream = await fetch(agentUrl("events"), {
      headers: { authorization: `Bearer ${credential}`, accept: "text/event-stream" },
      signal: events.signal,
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    expect(stream.headers.get("cache-control")).toContain("no-cache");
    // The stream stays open: the first event can only be read if the relay passes chunks on as they come.
    expect(await readUntil(stream.body ?? new ReadableStream(), "event: ready", 10_000)).toContain(
      "event: ready",
    );

    await expect(card.getByTestId("cluster-status")).toHaveAttribute("data-status", "connected");
    await expect(card.getByTestId("cluster-kubernetes-version")).toHaveText("v1.28.3");
    await expect(card.getByTestId("cluster-mesh")).toHaveText("Istio 1.22.1");
    await expect(card.getByTestId("count-namespaces")).toHaveText("2");
    await expect(card.getByTestId("count-workloads")).toHaveText("3");
    await expect(card.getByTestId("count-pods")).toHaveText("8");
    await expect(card.getByTestId("cluster-last-seen")).toHaveText(/^\d+ s ago$/);
  });

  await test.step("the cluster page lists workloads, searches on the server and flags a missing sidecar", async () => {
    await card.getByTestId("cluster-name-link").click();
    await expect(page).toHaveURL(new RegExp(`/clusters/${clusterId}$`));
    await expect(page.getByTestId("inventory-row")).toHaveCount(3);
    const billing = page.getByTestId("inventory-row").filter({ hasText: "billing" });
    await expect(billing.getByTestId("workload-sidecar")).toHaveText("Not injected");
    await expect(billing.locator(".badge--warning")).toBeVisible();
    await page.getByTestId("inventory-search").fill("reviews");
    await expect(page.getByTestId("inventory-row")).toHaveCount(2);
    await expect(
      page.getByTestId("inventory-row").filter({ hasText: "reviews-v2" }).getByTestId("workload-ready"),
    ).toHaveText("1/2");
    await page.getByTestId("inventory-search").fill("");
    await page.getByTestId("inventory-namespace").selectOption("legacy");
    await expect(page.getByTestId("inventory-row")).toHaveCount(1);
    await page.getByTestId("tab-Namespace").click();
    await expect(page.getByTestId("inventory-row")).toHaveCount(2);
    await expect(page.getByTestId("inventory-row").filter({ hasText: "legacy" })).toContainText("Off");
    await page.getByTestId("tab-Service").click();
    // The namespace filter stays as chosen across tabs (the select shows it); clear it for all services.
    await page.getByTestId("inventory-namespace").selectOption("");
    await expect(page.getByTestId("inventory-row")).toHaveCount(1);
    await expect(page.getByTestId("inventory-row")).toContainText("http 9080/TCP");
  });

  await test.step("the agent going away closes the stream upstream, and the page says disconnected", async () => {
    events.abort();
    await expect(page.getByTestId("cluster-detail").getByTestId("cluster-status").first()).toHaveAttribute(
      "data-status",
      "disconnected",
    );
  });

  await test.step("removing the cluster asks for its name and shows the uninstall line", async () => {
    await page.getByTestId("remove-cluster").click();
    await expect(page.getByTestId("remove-confirm")).toBeDisabled();
    await page.getByTestId("remove-confirm-name").fill("staging-us-east-1");
    await page.getByTestId("remove-confirm").click();
    await expect(page.getByTestId("uninstall-command")).toContainText("kubectl delete");
    await page.getByTestId("back-to-clusters").click();
    await expect(page.getByTestId("clusters-empty")).toBeVisible();
  });
});
