/** fast-check generators of policy documents (as a user would write them) and cluster inventories. */
import fc from "fast-check";
import type { ClusterInventory } from "../src/inventory";
import { httpMethods, policyApiVersion, retryOnConditions } from "../src/schema";

// Small pools so that policies collide on hosts, namespaces and versions often.
const namespaces = ["shop", "batch"] as const;
const services = ["cart", "web", "api"] as const;
const versions = ["v1", "v2", "v3", "V4.beta_1"] as const;
const clusterNames = ["eu-1", "us-1", "ap-1"] as const;

const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const durationArb = fc.oneof(
  fc.integer({ min: 1, max: 5000 }).map((n) => `${n}ms`),
  fc.integer({ min: 1, max: 120 }).map((n) => `${n}s`),
  fc.integer({ min: 1, max: 30 }).map((n) => `${n}m`),
);
const percentArb = fc.oneof(fc.integer({ min: 0, max: 100 }), fc.double({ min: 0, max: 100, noNaN: true }));
const labelValueArb = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/);
const headerArb = fc.constantFrom("x-user", "x-canary", "cookie", "x-b3-traceid");
const stringMatchArb = fc.oneof(
  fc.record({ exact: fc.string({ maxLength: 8 }) }),
  fc.record({ prefix: fc.constantFrom("/", "/api/", "/v2") }),
  fc.record({ regex: fc.constantFrom("^/a.*", "[0-9]+", ".*") }),
);

const clustersArb = opt(
  fc.oneof(
    fc.record({ names: fc.uniqueArray(fc.constantFrom(...clusterNames), { minLength: 1, maxLength: 3 }) }),
    fc.record({ matchLabels: fc.constantFrom({ env: "prod" }, { region: "eu" }, { env: "dev" }) }),
  ),
);

const serviceScopeArb = fc.record(
  { clusters: clustersArb, namespace: fc.constantFrom(...namespaces), service: fc.constantFrom(...services) },
  { requiredKeys: ["namespace", "service"] },
);

/** Destinations whose weights add up to 100 (or a single one without weight). */
const destinationsArb = fc.oneof(
  fc
    .record(
      { version: fc.constantFrom(...versions), port: opt(fc.integer({ min: 1, max: 65535 })) },
      { requiredKeys: ["version"] },
    )
    .map((d) => [d]),
  fc.uniqueArray(fc.constantFrom(...versions), { minLength: 2, maxLength: 4 }).chain((vs) =>
    fc
      .array(fc.integer({ min: 0, max: 100 }), { minLength: vs.length - 1, maxLength: vs.length - 1 })
      .map((cuts) => {
        const points = [0, ...cuts.sort((a, b) => a - b), 100];
        return vs.map((version, i) => ({ version, weight: (points[i + 1] ?? 100) - (points[i] ?? 0) }));
      }),
  ),
);

const headerOpsArb = fc.record(
  {
    set: fc.dictionary(headerArb, fc.string({ maxLength: 6 }), { maxKeys: 2 }),
    add: fc.dictionary(headerArb, fc.string({ maxLength: 6 }), { maxKeys: 2 }),
    remove: fc.uniqueArray(headerArb, { maxLength: 2 }),
  },
  { requiredKeys: [] },
);

const routeArb = fc.record(
  {
    name: fc.constantFrom("canary", "default", "beta-users"),
    match: fc.array(
      fc.record(
        {
          path: stringMatchArb,
          method: fc.constantFrom(...httpMethods),
          headers: fc.dictionary(headerArb, stringMatchArb, { minKeys: 1, maxKeys: 2 }),
          query: fc.dictionary(fc.constantFrom("debug", "page"), stringMatchArb, { minKeys: 1, maxKeys: 2 }),
        },
        { requiredKeys: [] },
      ),
      { minLength: 1, maxLength: 2 },
    ),
    destinations: destinationsArb,
    timeout: durationArb,
    retries: fc.record(
      {
        attempts: fc.integer({ min: 0, max: 10 }),
        perTryTimeout: durationArb,
        retryOn: fc.uniqueArray(fc.constantFrom(...retryOnConditions), { minLength: 1, maxLength: 3 }),
      },
      { requiredKeys: ["attempts"] },
    ),
    fault: fc.oneof(
      fc.record({ delay: fc.record({ fixed: durationArb, percentage: percentArb }) }),
      fc.record({
        abort: fc.record({ httpStatus: fc.integer({ min: 200, max: 599 }), percentage: percentArb }),
      }),
    ),
    mirror: fc.record({ version: fc.constantFrom(...versions), percentage: percentArb }),
    headers: fc.record({ request: headerOpsArb, response: headerOpsArb }, { requiredKeys: [] }),
  },
  { requiredKeys: ["destinations"] },
);

const nameArb = fc.stringMatching(/^[a-z]([a-z0-9-]{0,10}[a-z0-9])?$/);
const precedenceArb = opt(fc.integer({ min: 0, max: 3 }));

const doc = (kind: string, spec: fc.Arbitrary<unknown>) =>
  fc.record({
    apiVersion: fc.constant(policyApiVersion),
    kind: fc.constant(kind),
    metadata: fc.record(
      { name: nameArb, revision: opt(fc.integer({ min: 1, max: 50 })) },
      { requiredKeys: ["name"] },
    ),
    spec,
  });

const trafficArb = doc(
  "TrafficPolicy",
  fc.record(
    {
      scope: serviceScopeArb,
      precedence: precedenceArb,
      routes: fc.array(routeArb, { minLength: 1, maxLength: 3 }),
    },
    { requiredKeys: ["scope", "routes"] },
  ),
);

const resilienceArb = doc(
  "ResiliencePolicy",
  fc.record(
    {
      scope: serviceScopeArb,
      precedence: precedenceArb,
      loadBalancer: fc.oneof(
        fc.record(
          {
            algorithm: fc.constantFrom("round-robin", "least-request", "random"),
            localityFailover: fc.array(
              fc.record({
                from: fc.constantFrom("eu-west1", "us-east1"),
                to: fc.constantFrom("eu-central1", "us-west1"),
              }),
              {
                minLength: 1,
                maxLength: 2,
              },
            ),
          },
          { requiredKeys: ["algorithm"] },
        ),
        fc.record({
          algorithm: fc.constant("consistent-hash"),
          hashKey: fc.oneof(
            fc.record({ header: headerArb }),
            fc.record({
              cookie: fc.record(
                { name: fc.constantFrom("session", "user"), ttl: opt(durationArb) },
                { requiredKeys: ["name"] },
              ),
            }),
            fc.constant({ sourceIp: true }),
          ),
        }),
      ),
      connectionPool: fc.record(
        {
          tcp: fc.record(
            { maxConnections: fc.integer({ min: 0, max: 10000 }), connectTimeout: durationArb },
            { requiredKeys: [] },
          ),
          http: fc.record(
            {
              maxPendingRequests: fc.integer({ min: 0, max: 10000 }),
              maxRequests: fc.integer({ min: 0, max: 10000 }),
              maxRequestsPerConnection: fc.integer({ min: 0, max: 100 }),
              maxRetries: fc.integer({ min: 0, max: 10 }),
              idleTimeout: durationArb,
            },
            { requiredKeys: [] },
          ),
        },
        { requiredKeys: [] },
      ),
      outlierDetection: fc.record(
        {
          consecutive5xxErrors: fc.integer({ min: 0, max: 100 }),
          interval: durationArb,
          baseEjectionTime: durationArb,
          maxEjectionPercent: fc.integer({ min: 0, max: 100 }),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: ["scope", "outlierDetection"] },
  ),
);

const mtlsArb = doc(
  "MtlsPolicy",
  fc.record(
    {
      scope: fc.oneof(
        fc.record({ clusters: clustersArb }, { requiredKeys: [] }),
        fc.record(
          { clusters: clustersArb, namespace: fc.constantFrom(...namespaces) },
          { requiredKeys: ["namespace"] },
        ),
        fc.record({
          namespace: fc.constantFrom(...namespaces),
          workload: fc.oneof(
            fc.record({ service: fc.constantFrom(...services) }),
            fc.record({
              matchLabels: fc.dictionary(fc.constantFrom("app", "tier"), labelValueArb, {
                minKeys: 1,
                maxKeys: 2,
              }),
            }),
          ),
        }),
      ),
      precedence: precedenceArb,
      mode: fc.constantFrom("strict", "permissive", "disable"),
    },
    { requiredKeys: ["mode"] },
  ),
);

const ruleArb = fc.record(
  {
    from: fc.record(
      {
        namespaces: fc.uniqueArray(fc.constantFrom(...namespaces, "monitoring"), {
          minLength: 1,
          maxLength: 2,
        }),
        serviceAccounts: fc.uniqueArray(fc.constantFrom("shop/web", "shop/cart", "batch/report"), {
          minLength: 1,
          maxLength: 2,
        }),
        principals: fc.uniqueArray(fc.constantFrom("cluster.local/ns/shop/sa/web", "*/ns/batch/sa/*", "*"), {
          minLength: 1,
          maxLength: 2,
        }),
      },
      { requiredKeys: [] },
    ),
    to: fc.record(
      {
        methods: fc.uniqueArray(fc.constantFrom(...httpMethods), { minLength: 1, maxLength: 3 }),
        paths: fc.uniqueArray(fc.constantFrom("/api/*", "/admin/*", "/healthz", "*"), {
          minLength: 1,
          maxLength: 2,
        }),
        ports: fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { minLength: 1, maxLength: 2 }),
      },
      { requiredKeys: [] },
    ),
    when: fc.array(
      fc.record({
        header: headerArb,
        values: fc.array(fc.string({ minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 2 }),
      }),
      {
        minLength: 1,
        maxLength: 2,
      },
    ),
  },
  { requiredKeys: [] },
);

const authorizationArb = doc(
  "AuthorizationPolicy",
  fc.record(
    {
      scope: fc.record(
        {
          clusters: clustersArb,
          namespace: fc.constantFrom(...namespaces),
          service: opt(fc.constantFrom(...services)),
        },
        { requiredKeys: ["namespace"] },
      ),
      action: fc.constantFrom("allow", "deny"),
      rules: fc.array(ruleArb, { minLength: 1, maxLength: 3 }),
    },
    { requiredKeys: ["scope", "action", "rules"] },
  ),
);

const rateLimitArb = doc(
  "RateLimitPolicy",
  fc.record(
    {
      scope: serviceScopeArb,
      precedence: precedenceArb,
      limit: fc
        .record({
          requests: fc.integer({ min: 1, max: 100000 }),
          per: fc.constantFrom("second", "minute", "hour"),
          extra: fc.integer({ min: 0, max: 100 }),
        })
        .map(({ extra, ...l }) => (extra > 50 ? { ...l, burst: l.requests + extra } : l)),
    },
    { requiredKeys: ["scope", "limit"] },
  ),
);

/** A policy document the schema accepts. */
export const policyDocumentArb = fc.oneof(trafficArb, resilienceArb, mtlsArb, authorizationArb, rateLimitArb);

/** A set of valid policy documents with unique names. */
export const policySetArb = fc.uniqueArray(policyDocumentArb, {
  maxLength: 8,
  selector: (p) => p.metadata.name,
});

const workloadArb = fc.record({
  namespace: fc.constantFrom(...namespaces),
  app: fc.constantFrom(...services, "metrics"),
  version: fc.constantFrom(...versions),
  hasSidecar: fc.boolean(),
  readyReplicas: fc.integer({ min: 0, max: 3 }),
  serviceAccount: fc.constantFrom("web", "cart", "default"),
});

export const inventoryArb: fc.Arbitrary<ClusterInventory> = fc
  .record({
    name: fc.constantFrom(...clusterNames),
    labels: fc.constantFrom<Record<string, string>>({ env: "prod", region: "eu" }, { env: "dev" }, {}),
    services: fc.uniqueArray(
      fc.record({ namespace: fc.constantFrom(...namespaces), name: fc.constantFrom(...services) }),
      {
        selector: (s) => `${s.namespace}/${s.name}`,
        maxLength: 6,
      },
    ),
    workloads: fc.uniqueArray(workloadArb, {
      selector: (w) => `${w.namespace}/${w.app}-${w.version}`,
      maxLength: 10,
    }),
    injection: fc.boolean(),
    /** Half the inventories run every version of every service, so routes compile rather than fail. */
    isComplete: fc.boolean(),
  })
  .map((i) => ({
    cluster: { name: i.name, labels: i.labels },
    namespaces: namespaces.map((name) => ({ name, hasSidecarInjection: name === "shop" || i.injection })),
    services: (i.isComplete
      ? namespaces.flatMap((namespace) => services.map((name) => ({ namespace, name })))
      : i.services
    ).map((s) => ({ ...s, ports: [{ port: 8080 }] })),
    workloads: (i.isComplete
      ? namespaces.flatMap((namespace) =>
          services.flatMap((app) =>
            versions.map((version) => ({
              namespace,
              app,
              version,
              hasSidecar: true,
              readyReplicas: 1,
              serviceAccount: app,
            })),
          ),
        )
      : i.workloads
    ).map((w) => ({
      name: `${w.app}-${w.version.toLowerCase().replace(/[^a-z0-9]/g, "")}`,
      namespace: w.namespace,
      labels: { app: w.app, version: w.version },
      hasSidecar: w.hasSidecar,
      readyReplicas: w.readyReplicas,
      serviceAccount: w.serviceAccount,
    })),
  }));
