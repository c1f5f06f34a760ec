/**
 * Replays the kube-apiserver v1.28.7 recordings (../shared/fixtures/kube-apiserver-1.28) against
 * the simulator, in the order they were recorded, and compares status, Content-Type and the body
 * with inherently variable values (uids, timestamps, RV numbers, allocated IPs) masked; RVs must
 * relate the same way (a no-op keeps it, a write moves it).
 *
 * Recordings deliberately not replayed here, and why:
 * - api_v1_namespaces*.json, apis_*_bookinfo_*.json, list_deployments_with_kcm.json,
 *   list_pods_running.json, discovery_networking.istio.io_v1.json, watch_pods_*.ndjson: raw
 *   bodies without the request; the same shapes are covered by the enveloped list, discovery and
 *   watch recordings.
 * - openapi_v3_index.json, openapi_v3_networking.istio.io_v1.json: the simulator serves no
 *   OpenAPI (neither the agent nor client-node's object API needs it).
 * - list_deployments_rv0_nowatchcache.json, watch_virtualservices_nowatchcache_no_bookmarks.json,
 *   watch_virtualservices_oldrv_compacted_nowatchcache_error_event.json,
 *   watch_pods_rv5_compacted_nowatchcache_error_event.json: recorded with --watch-cache=false;
 *   the simulator models the default (watch cache on). Its 410 event is the cache's wording.
 * - deployment_status_after_kcm_pods_pending.json, endpointslices_for_service_pods_pending.json:
 *   the simulated pods are Ready at once (no scheduler/kubelet delay); the ready states are
 *   compared instead.
 * The watch recordings with timing (bookmarks, timeouts, too-old RVs) are replayed in
 * watch-recordings.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimulatedCluster, startSimulatedCluster } from "./cluster";
import { isJsonObject, type JsonObject } from "./json";
import {
  hasRecordings,
  loadRecording,
  normalize,
  type Replayed,
  ResourceVersionMap,
  replay,
  resourceVersionOf,
} from "./testing/recordings";

const token = "k8sreal-admin-token";

function contentTypeOf(headers: Record<string, string | string[]>): string | undefined {
  const value = headers["Content-Type"];
  return Array.isArray(value) ? value[0] : value;
}

describe.skipIf(!hasRecordings)("replaying kube-apiserver 1.28 recordings", () => {
  let cluster: SimulatedCluster;
  const rvs = new ResourceVersionMap();

  beforeAll(async () => {
    cluster = await startSimulatedCluster({ name: "replay", token, seed: "empty" });
  });
  afterAll(async () => {
    await cluster.close();
  });

  async function expectReplay(file: string, options: { checkRv?: boolean } = {}): Promise<Replayed> {
    const recording = loadRecording(file);
    const result = await replay(cluster.url, recording);
    expect(result.status, `${file}: ${result.text}`).toBe(recording.status);
    expect(result.headers.get("content-type"), file).toBe(contentTypeOf(recording.responseHeaders));
    expect(normalize(result.body), file).toEqual(normalize(recording.responseBody));
    if (options.checkRv !== false && isJsonObject(recording.responseBody)) {
      const problem = rvs.check(resourceVersionOf(recording.responseBody), resourceVersionOf(result.body));
      expect(problem, file).toBeUndefined();
    }
    return result;
  }

  // The sequence the recorder ran, in order: state carries from one step to the next.
  const sequence = [
    "namespace_create.json",
    "error_namespace_create_already_exists.json",
    "ssa_virtualservice_create.json",
    "ssa_virtualservice_reapply_unchanged.json",
    "error_ssa_missing_fieldmanager.json",
    "ssa_virtualservice_reapply_changed.json",
    "ssa_virtualservice_get_after.json",
    "ssa_virtualservice_reapply_unchanged_yaml_body.json",
    "ssa_destinationrule_create.json",
    "ssa_destinationrule_reapply_unchanged.json",
    "ssa_destinationrule_reapply_changed.json",
    "ssa_destinationrule_get_after.json",
    "ssa_peerauthentication_create.json",
    "ssa_peerauthentication_reapply_unchanged.json",
    "ssa_peerauthentication_reapply_changed.json",
    "ssa_peerauthentication_get_after.json",
    "ssa_authorizationpolicy_create.json",
    "ssa_authorizationpolicy_reapply_unchanged.json",
    "ssa_authorizationpolicy_reapply_changed.json",
    "ssa_authorizationpolicy_get_after.json",
    "conflict_ops_team_apply_no_force_409.json",
    "conflict_ops_team_apply_force_200.json",
    "conflict_ops_team_get_after_force.json",
    "conflict_agent_reapply_no_force_409.json",
    "conflict_agent_reapply_force_200.json",
    "update_kubectl_edit_merge_patch_destinationrule.json",
    "conflict_agent_apply_vs_update_manager_409.json",
    "ssa_peerauthentication_ops_team_same_value_shared_ownership.json",
    "error_cel_virtualservice_timeout_422.json",
    "error_get_missing_object_404.json",
    "error_get_missing_namespace_404.json",
    "error_invalid_token_401.json",
    "error_no_token_anonymous.json",
    "error_merge_patch_missing_object_404.json",
    "error_post_create_already_exists_409.json",
    "error_put_stale_resourceversion_409.json",
    "error_ssa_malformed_yaml_400.json",
    "error_ssa_name_mismatch_400.json",
    "error_ssa_namespace_not_found.json",
    "error_ssa_unknown_field_default_validation.json",
    "error_ssa_unknown_field_strict.json",
    "error_ssa_unknown_field_ignore.json",
    "error_ssa_wrong_type_hosts_string.json",
    "error_ssa_wrong_type_weight_string.json",
    "error_patch_unsupported_media_type_415.json",
    "dryrun_ssa_create_new.json",
    "dryrun_get_after_404.json",
    "dryrun_ssa_change_existing.json",
    "dryrun_get_existing_after_unchanged.json",
    "dryrun_list_after_shows_absent.json",
    "post_unknown_field_default_validation_warns.json",
    "error_post_unknown_field_strict_400.json",
    "error_post_wrong_type_422.json",
    "error_ssa_missing_kind_400.json",
    "error_ssa_wrong_plural_404.json",
    "delete_authorizationpolicy_200.json",
    "delete_authorizationpolicy_again_404.json",
    "error_list_resourceversionmatch_without_rv_422.json",
    "error_watch_sendinitialevents_watchlist_gate_off.json",
    "deployment_ssa_create.json",
    "service_ssa_create.json",
  ];

  it.each(sequence)("%s", async (file) => {
    // The YAML parser's wording differs from Go's; the rest of the Status must match.
    if (file === "error_ssa_malformed_yaml_400.json") {
      const recording = loadRecording(file);
      const result = await replay(cluster.url, recording);
      expect(result.status).toBe(400);
      expect(isJsonObject(result.body) && result.body.reason).toBe("BadRequest");
      expect(isJsonObject(result.body) && String(result.body.message)).toMatch(/^error decoding YAML: /);
      return;
    }
    // The list RV is the collection's, which counts writes the recorder made elsewhere.
    await expectReplay(file, { checkRv: !file.startsWith("dryrun_list") });
  });

  it("post_unknown_field_default_validation_warns.json: Warning headers name the pruned fields", async () => {
    const recording = loadRecording("post_unknown_field_default_validation_warns.json");
    const result = await replay(cluster.url, recording);
    expect(result.headers.get("warning")).toBe(
      '299 - "unknown field \\"spec.htpp\\"", 299 - "unknown field \\"spec.http[0].retries.perTryTimeoutt\\""',
    );
  });

  it("version.json: indented body", async () => {
    const recording = loadRecording("version.json");
    const result = await replay(cluster.url, recording);
    expect(result.status).toBe(200);
    expect(result.body).toEqual(recording.responseBody);
    expect(result.text).toBe(`${JSON.stringify(recording.responseBody, null, 2)}\n`);
  });

  it("discovery_api.json", async () => {
    await expectReplay("discovery_api.json", { checkRv: false });
  });

  function resourcesByName(body: unknown): Map<string, JsonObject> {
    const out = new Map<string, JsonObject>();
    if (!isJsonObject(body) || !Array.isArray(body.resources)) return out;
    for (const entry of body.resources) if (isJsonObject(entry)) out.set(String(entry.name), entry);
    return out;
  }

  it.each([
    ["discovery_api_v1.json", false],
    ["discovery_apis_apps_v1.json", false],
    ["discovery_apis_networking.istio.io_v1.json", true],
    ["discovery_apis_security.istio.io_v1.json", true],
  ] as const)("%s: every served resource is listed exactly as recorded", async (file, isComplete) => {
    const recording = loadRecording(file);
    const result = await replay(cluster.url, recording);
    expect(result.status).toBe(200);
    const recorded = resourcesByName(recording.responseBody);
    const served = resourcesByName(result.body);
    expect(served.size).toBeGreaterThan(0);
    for (const [name, entry] of served) expect(entry, name).toEqual(recorded.get(name));
    if (isComplete) expect([...served.keys()].sort()).toEqual([...recorded.keys()].sort());
    if (isJsonObject(recording.responseBody) && isJsonObject(result.body)) {
      expect(Object.keys(result.body)).toEqual(Object.keys(recording.responseBody));
    }
  });

  it("discovery_apis.json: the groups served match the recorded entries", async () => {
    const recording = loadRecording("discovery_apis.json");
    const result = await replay(cluster.url, recording);
    expect(result.status).toBe(200);
    const recorded = new Map<string, JsonObject>();
    if (isJsonObject(recording.responseBody) && Array.isArray(recording.responseBody.groups)) {
      for (const entry of recording.responseBody.groups)
        if (isJsonObject(entry)) recorded.set(String(entry.name), entry);
    }
    const groups = isJsonObject(result.body) && Array.isArray(result.body.groups) ? result.body.groups : [];
    expect(groups.length).toBe(5);
    for (const entry of groups) {
      if (!isJsonObject(entry)) throw new Error("group entry is not an object");
      const expected = recorded.get(String(entry.name));
      expect(expected, String(entry.name)).toBeDefined();
      expect(entry.preferredVersion).toEqual(expected?.preferredVersion);
    }
  });

  it("discovery_apis_aggregated_v2beta1.json: aggregated discovery headers and entries", async () => {
    const recording = loadRecording("discovery_apis_aggregated_v2beta1.json");
    const result = await replay(cluster.url, recording);
    expect(result.status).toBe(200);
    expect(result.headers.get("content-type")).toBe(contentTypeOf(recording.responseHeaders));
    expect(result.headers.get("cache-control")).toBe("public");
    expect(result.headers.get("vary")).toBe("Accept");
    expect(result.headers.get("etag")).toMatch(/^"[0-9A-F]{128}"$/);
    const recordedItems =
      isJsonObject(recording.responseBody) && Array.isArray(recording.responseBody.items)
        ? recording.responseBody.items
        : [];
    const items = isJsonObject(result.body) && Array.isArray(result.body.items) ? result.body.items : [];
    for (const item of items) {
      if (!isJsonObject(item) || !isJsonObject(item.metadata) || !Array.isArray(item.versions))
        throw new Error("bad item");
      const name = item.metadata.name;
      const expected = recordedItems.find(
        (candidate) =>
          isJsonObject(candidate) && isJsonObject(candidate.metadata) && candidate.metadata.name === name,
      );
      if (!isJsonObject(expected) || !Array.isArray(expected.versions))
        throw new Error(`group ${String(name)} not recorded`);
      const recordedV1 = expected.versions.find(
        (version) => isJsonObject(version) && version.version === "v1",
      );
      const servedV1 = item.versions[0];
      if (
        !isJsonObject(recordedV1) ||
        !isJsonObject(servedV1) ||
        !Array.isArray(recordedV1.resources) ||
        !Array.isArray(servedV1.resources)
      ) {
        throw new Error("no v1");
      }
      for (const resource of servedV1.resources) {
        if (!isJsonObject(resource)) continue;
        const match = recordedV1.resources.find(
          (candidate) => isJsonObject(candidate) && candidate.resource === resource.resource,
        );
        expect(resource, `${String(name)}/${String(resource.resource)}`).toEqual(match);
      }
    }
  });
});
