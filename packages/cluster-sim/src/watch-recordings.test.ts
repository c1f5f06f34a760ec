/**
 * Replays the watch and list-consistency recordings of kube-apiserver 1.28 that depend on time
 * and history: bookmarks before the timeout, synthetic ADDED without an RV, 410 as an in-stream
 * ERROR, RV too large, Exact lists and continue tokens after a compaction, pagination.
 * (See recordings.test.ts for the recordings not replayed and why.)
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimulatedCluster, startSimulatedCluster } from "./cluster";
import { isJsonObject, type JsonObject, type JsonValue, toJsonValue } from "./json";
import { hasRecordings, loadRecording, normalize, replay } from "./testing/recordings";

const token = "k8sreal-admin-token";
const headers = { Authorization: `Bearer ${token}`, Accept: "application/json" };

interface WatchEvent {
  type: string;
  object: JsonObject;
}

/** Reads a watch stream to its end (the server closes it at timeoutSeconds). */
async function readWatch(
  url: string,
  onOpen?: () => Promise<void>,
): Promise<{ status: number; events: WatchEvent[] }> {
  const response = await fetch(url, { headers });
  const opened = onOpen ? onOpen() : Promise.resolve();
  const text = await response.text();
  await opened;
  const events = text
    .split("\n")
    .filter((line) => line !== "")
    .map((line): WatchEvent => {
      const parsed: unknown = JSON.parse(line);
      if (!isJsonObject(parsed as JsonValue) || typeof parsed !== "object" || parsed === null)
        throw new Error(line);
      const record = parsed as { type: string; object: JsonObject };
      return { type: record.type, object: record.object };
    });
  return { status: response.status, events };
}

/** Opens several watches, runs `actions` once all are connected, then reads each to its end. */
async function readWatches(urls: string[], actions: () => Promise<void>): Promise<WatchEvent[][]> {
  const responses = await Promise.all(urls.map((url) => fetch(url, { headers })));
  await actions();
  const texts = await Promise.all(responses.map((response) => response.text()));
  return texts.map((text) =>
    text
      .split("\n")
      .filter((line) => line !== "")
      .map((line): WatchEvent => {
        const parsed = toJsonValue(JSON.parse(line));
        if (!isJsonObject(parsed) || !isJsonObject(parsed.object)) throw new Error(line);
        return { type: String(parsed.type), object: parsed.object };
      }),
  );
}

function recordedEvents(file: string): WatchEvent[] {
  const body = loadRecording(file).responseBody;
  if (!Array.isArray(body)) throw new Error(`${file} has no events`);
  return body
    .filter(isJsonObject)
    .map((event) => ({ type: String(event.type), object: isJsonObject(event.object) ? event.object : {} }));
}

const vs = (spec: JsonObject, name = "ratings"): JsonObject => ({
  apiVersion: "networking.istio.io/v1",
  kind: "VirtualService",
  metadata: { name, namespace: "bookinfo" },
  spec,
});

describe.skipIf(!hasRecordings)("replaying watch and list recordings", () => {
  let cluster: SimulatedCluster;
  const base = () => `${cluster.url}/apis/networking.istio.io/v1/namespaces/bookinfo/virtualservices`;

  beforeAll(async () => {
    cluster = await startSimulatedCluster({ name: "watch-replay", token, seed: "empty" });
    cluster.store.createNamespace("bookinfo", { isInjected: true });
    cluster.store.apply(
      vs({ hosts: ["reviews"], http: [{ route: [{ destination: { host: "reviews" } }] }] }, "reviews"),
      {
        fieldManager: "switchyard-agent",
      },
    );
  });
  afterAll(async () => {
    await cluster.close();
  });

  /** The recorder's actions during the watch: create, change, no-op, label, delete. */
  async function ratingsActions(): Promise<void> {
    const spec = (timeout: string) => ({
      hosts: ["ratings"],
      http: [{ route: [{ destination: { host: "ratings" } }], timeout }],
    });
    cluster.store.apply(vs(spec("5s")), { fieldManager: "switchyard-agent" });
    cluster.store.apply(vs(spec("3s")), { fieldManager: "switchyard-agent" });
    cluster.store.apply(vs(spec("3s")), { fieldManager: "switchyard-agent" });
    const response = await fetch(`${base()}/ratings?fieldManager=kubectl-label`, {
      method: "PATCH",
      headers: { ...headers, "Content-Type": "application/merge-patch+json" },
      body: JSON.stringify({ metadata: { labels: { team: "ratings" } } }),
    });
    expect(response.status).toBe(200);
    cluster.store.delete("VirtualService", "bookinfo", "ratings");
  }

  let listRv = "";

  it("watch_virtualservices_bookmarks_timeout15_{from_list_rv,no_rv}.json: events then a BOOKMARK; synthetic ADDED and none without an RV", async () => {
    const list = toJsonValue(await (await fetch(base(), { headers })).json());
    listRv = String(isJsonObject(list) && isJsonObject(list.metadata) ? list.metadata.resourceVersion : "");
    // Recorded side by side: one watch from the list RV, one without an RV, the same actions.
    const [events = [], noRvEvents = []] = await readWatches(
      [
        `${base()}?watch=1&allowWatchBookmarks=true&timeoutSeconds=3&resourceVersion=${listRv}`,
        `${base()}?watch=1&allowWatchBookmarks=true&timeoutSeconds=3`,
      ],
      ratingsActions,
    );
    const recordedNoRv = recordedEvents("watch_virtualservices_bookmarks_timeout15_no_rv.json");
    expect(noRvEvents.map((event) => event.type)).toEqual(recordedNoRv.map((event) => event.type));
    const recorded = recordedEvents("watch_virtualservices_bookmarks_timeout15_from_list_rv.json");
    const withoutBookmarks = (list: WatchEvent[]) => list.filter((event) => event.type !== "BOOKMARK");
    expect(withoutBookmarks(events).map((event) => event.type)).toEqual(
      withoutBookmarks(recorded).map((event) => event.type),
    );
    expect(withoutBookmarks(events).map((event) => event.object.metadata)).toHaveLength(4);
    const bookmark = events.find((event) => event.type === "BOOKMARK");
    const recordedBookmark = recorded.find((event) => event.type === "BOOKMARK");
    expect(normalize(bookmark?.object ?? null)).toEqual(normalize(recordedBookmark?.object ?? null));
    const deleted = events.find((event) => event.type === "DELETED");
    const last = events.filter((event) => event.type !== "BOOKMARK").at(-1);
    expect(deleted).toBe(last);
    expect(bookmark?.object.metadata).toEqual(
      deleted?.object.metadata && {
        resourceVersion: (deleted.object.metadata as JsonObject).resourceVersion,
      },
    );
  });

  it("watch_virtualservices_oldrv_after_compaction_served_by_watchcache.json: an old RV inside the window replays", async () => {
    const { events } = await readWatch(
      `${base()}?watch=1&allowWatchBookmarks=true&timeoutSeconds=1&resourceVersion=${listRv}`,
    );
    const recorded = recordedEvents("watch_virtualservices_oldrv_after_compaction_served_by_watchcache.json");
    expect(
      events
        .filter((e) => e.type !== "BOOKMARK")
        .map((event) => [event.type, event.object.metadata && (event.object.metadata as JsonObject).name]),
    ).toEqual(
      recorded.map((event) => [
        event.type,
        event.object.metadata && (event.object.metadata as JsonObject).name,
      ]),
    );
  });

  it("watch_configmaps_bookmark_builtin_type.json (bookmark shape of a built-in type) and watch_virtualservices_rv_too_large_empty_stream.json", async () => {
    const started = Date.now();
    const tooLarge = readWatch(
      `${base()}?watch=1&allowWatchBookmarks=true&timeoutSeconds=1&resourceVersion=100561`,
    );
    const rv = cluster.store.resourceVersion;
    const url = `${cluster.url}/api/v1/namespaces/bookinfo/configmaps?watch=1&allowWatchBookmarks=true&timeoutSeconds=3&resourceVersion=${rv}`;
    const { events } = await readWatch(url, async () => {
      cluster.store.createNamespace("other");
      const response = await fetch(`${cluster.url}/api/v1/namespaces/other/configmaps`, {
        method: "POST",
        headers: { ...headers, "Content-Type": "application/json" },
        body: JSON.stringify({
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "elsewhere" },
          data: { a: "b" },
        }),
      });
      expect(response.status).toBe(201);
    });
    const recorded = recordedEvents("watch_configmaps_bookmark_builtin_type.json");
    expect(events.map((event) => event.type)).toEqual(["BOOKMARK"]);
    expect(normalize(events[0]?.object ?? null)).toEqual(normalize(recorded[0]?.object ?? null));
    // A future RV: 200, no events at all (not even the writes above), held until the timeout.
    const silent = await tooLarge;
    expect(silent.status).toBe(200);
    expect(silent.events).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("error_list_virtualservices_rv_too_large_504.json", async () => {
    const recording = loadRecording("error_list_virtualservices_rv_too_large_504.json");
    const result = await replay(cluster.url, recording);
    expect(result.status).toBe(504);
    expect(result.headers.get("retry-after")).toBe("1");
    const body = result.body as JsonObject;
    const expected = recording.responseBody as JsonObject;
    expect({ ...body, message: "" }).toEqual({ ...expected, message: "" });
    expect(String(body.message)).toMatch(/^Timeout: Too large resource version: 100561, current: \d+$/);
  });

  it("list pagination: list_pods_limit2_page{1,2,3_last}.json", async () => {
    cluster.store.createDeployment({
      namespace: "bookinfo",
      name: "reviews-v1",
      app: "reviews",
      version: "v1",
      replicas: 3,
    });
    cluster.store.createDeployment({
      namespace: "bookinfo",
      name: "reviews-v2",
      app: "reviews",
      version: "v2",
      replicas: 2,
    });
    const pages: JsonObject[] = [];
    let next = "";
    for (let page = 0; page < 3; page++) {
      const query = next === "" ? "limit=2" : `limit=2&continue=${next}`;
      const body = (await (
        await fetch(`${cluster.url}/api/v1/namespaces/bookinfo/pods?${query}`, { headers })
      ).json()) as JsonObject;
      pages.push(body);
      next = String((body.metadata as JsonObject).continue ?? "");
    }
    const files = [
      "list_pods_limit2_page1.json",
      "list_pods_limit2_page2.json",
      "list_pods_limit2_page3_last.json",
    ];
    files.forEach((file, index) => {
      const recorded = loadRecording(file).responseBody as JsonObject;
      const served = pages[index] as JsonObject;
      expect(Object.keys(served.metadata as JsonObject).sort(), file).toEqual(
        Object.keys(recorded.metadata as JsonObject).sort(),
      );
      expect((served.items as JsonValue[]).length).toBe((recorded.items as JsonValue[]).length);
      expect((served.metadata as JsonObject).remainingItemCount).toEqual(
        (recorded.metadata as JsonObject).remainingItemCount,
      );
      const firstMeta = pages[0]?.metadata;
      expect((served.metadata as JsonObject).resourceVersion).toBe(
        isJsonObject(firstMeta) ? firstMeta.resourceVersion : undefined,
      );
      const item = (served.items as JsonObject[])[0];
      expect(item?.kind).toBeUndefined();
    });
    const firstMeta = pages[0]?.metadata;
    const firstContinue = isJsonObject(firstMeta) ? String(firstMeta.continue) : "";
    const token1 = JSON.parse(Buffer.from(firstContinue, "base64url").toString());
    expect(Object.keys(token1)).toEqual(["v", "rv", "start"]);
    expect(token1.start.startsWith("reviews-v1-") && token1.start.endsWith("\u0000")).toBe(true);
  });

  it("list_deployments_rv0.json, list_deployments_rv0_limit1_limit_ignored.json, list_deployments_limit1_no_rv.json", async () => {
    for (const file of [
      "list_deployments_rv0.json",
      "list_deployments_rv0_limit1_limit_ignored.json",
      "list_deployments_limit1_no_rv.json",
    ]) {
      const recording = loadRecording(file);
      const result = await replay(cluster.url, recording);
      const recorded = recording.responseBody as JsonObject;
      const served = result.body as JsonObject;
      expect(result.status, file).toBe(200);
      expect(Object.keys(served.metadata as JsonObject).sort(), file).toEqual(
        Object.keys(recorded.metadata as JsonObject).sort(),
      );
      expect(
        (served.items as JsonObject[]).map((item) => (item.metadata as JsonObject).name),
        file,
      ).toEqual((recorded.items as JsonObject[]).map((item) => (item.metadata as JsonObject).name));
    }
  });

  it("deployment_status_after_kcm_pods_ready.json and endpointslices_for_service_pods_ready.json", async () => {
    cluster.store.createService({ namespace: "bookinfo", name: "reviews" });
    const deployment = loadRecording("deployment_status_after_kcm_pods_ready.json");
    const served = (await replay(cluster.url, deployment)).body as JsonObject;
    const recorded = deployment.responseBody as JsonObject;
    // The ReplicaSet's pod-template-hash depends on the template, so mask it in messages.
    const masked = (status: JsonValue | undefined) =>
      JSON.parse(
        JSON.stringify(normalize(status ?? null)).replace(/reviews-v1-[a-z0-9]+/g, "reviews-v1-<hash>"),
      );
    expect(masked(served.status)).toEqual(masked(recorded.status));
    expect((served.metadata as JsonObject).annotations).toEqual(
      (recorded.metadata as JsonObject).annotations,
    );
    const slices = loadRecording("endpointslices_for_service_pods_ready.json");
    const list = (await replay(cluster.url, slices)).body as JsonObject;
    const slice = (list.items as JsonObject[])[0] as JsonObject;
    const recordedSlice = ((slices.responseBody as JsonObject).items as JsonObject[])[0] as JsonObject;
    expect(slice.ports).toEqual(recordedSlice.ports);
    expect((slice.endpoints as JsonObject[]).length).toBe((recordedSlice.endpoints as JsonObject[]).length);
    expect(Object.keys((slice.endpoints as JsonObject[])[0] ?? {}).sort()).toEqual(
      Object.keys((recordedSlice.endpoints as JsonObject[])[0] ?? {}).sort(),
    );
    expect((slice.metadata as JsonObject).labels).toEqual((recordedSlice.metadata as JsonObject).labels);
  });

  it("pod_binding_create.json and delete_pod_graceful_returns_object.json, delete_deployment_background_200.json", async () => {
    const pod = cluster.store.list("Pod", "bookinfo")[0] as JsonObject;
    const podName = String((pod.metadata as JsonObject).name);
    const binding = loadRecording("pod_binding_create.json");
    const bound = await replay(
      cluster.url,
      { ...binding, body: { ...(binding.body as JsonObject), metadata: { name: podName } } },
      {
        path: `/api/v1/namespaces/bookinfo/pods/${podName}/binding`,
      },
    );
    expect(bound.status).toBe(201);
    expect(bound.body).toEqual(binding.responseBody);
    const deletePod = loadRecording("delete_pod_graceful_returns_object.json");
    const deleted = await replay(cluster.url, deletePod, {
      path: `/api/v1/namespaces/bookinfo/pods/${podName}`,
    });
    expect(deleted.status).toBe(200);
    const meta = (deleted.body as JsonObject).metadata as JsonObject;
    expect((deleted.body as JsonObject).kind).toBe("Pod");
    expect(meta.deletionGracePeriodSeconds).toBe(30);
    expect(typeof meta.deletionTimestamp).toBe("string");
    const deleteDeployment = loadRecording("delete_deployment_background_200.json");
    const result = await replay(cluster.url, deleteDeployment);
    expect(result.status).toBe(200);
    expect(normalize(result.body)).toEqual(normalize(deleteDeployment.responseBody));
  });

  it("after a compaction: error_list_virtualservices_oldrv_exact_after_compaction_410.json, error_list_virtualservices_rv1_exact_410.json, error_list_pods_stale_continue_token_410.json, watch_virtualservices_rv1_too_old_watchcache_error_event.json, list_virtualservices_oldrv_notolderthan_after_compaction.json", async () => {
    const page = (await (
      await fetch(`${cluster.url}/api/v1/namespaces/bookinfo/pods?limit=2`, { headers })
    ).json()) as JsonObject;
    const continueToken = String((page.metadata as JsonObject).continue);
    const oldRv = listRv;
    // A write after the first page, then the compaction (the recorder ran etcdctl compaction).
    cluster.store.createNamespace("after-first-page");
    cluster.store.compact();
    for (const file of [
      "error_list_virtualservices_oldrv_exact_after_compaction_410.json",
      "error_list_virtualservices_rv1_exact_410.json",
    ]) {
      const recording = loadRecording(file);
      const result = await replay(cluster.url, recording, {
        query: { ...recording.query, resourceVersion: file.includes("rv1") ? "1" : oldRv },
      });
      expect(result.status, file).toBe(410);
      expect(result.body, file).toEqual(recording.responseBody);
    }
    const stale = loadRecording("error_list_pods_stale_continue_token_410.json");
    const expired = await replay(cluster.url, stale, { query: { limit: "2", continue: continueToken } });
    expect(expired.status).toBe(410);
    expect(normalize(expired.body)).toEqual(normalize(stale.responseBody));
    const restart = String(((expired.body as JsonObject).metadata as JsonObject).continue);
    expect(JSON.parse(Buffer.from(restart, "base64url").toString()).rv).toBe(-1);

    const { status, events } = await readWatch(
      `${base()}?watch=1&allowWatchBookmarks=true&timeoutSeconds=15&resourceVersion=1`,
    );
    const recorded = recordedEvents("watch_virtualservices_rv1_too_old_watchcache_error_event.json");
    expect(status).toBe(200);
    expect(events).toHaveLength(1);
    expect({ ...events[0]?.object, message: "" }).toEqual({ ...recorded[0]?.object, message: "" });
    expect(String(events[0]?.object.message)).toMatch(/^too old resource version: 1 \(\d+\)$/);

    const notOlder = loadRecording("list_virtualservices_oldrv_notolderthan_after_compaction.json");
    const listed = await replay(cluster.url, notOlder, {
      query: { resourceVersion: oldRv, resourceVersionMatch: "NotOlderThan" },
    });
    expect(listed.status).toBe(200);
    expect(Object.keys((listed.body as JsonObject).metadata as JsonObject)).toEqual([
      "continue",
      "resourceVersion",
    ]);
  });
});
