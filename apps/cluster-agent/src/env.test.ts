import { describe, expect, it } from "vitest";
import { ConfigError, readConfig } from "./env";

const token = "bt_0123456789abcdef";

describe("readConfig", () => {
  it("reads the shell form from flags, with a default state file", () => {
    expect(
      readConfig(["--api", "http://127.0.0.1:4000", "--token", token, "--kubeconfig", "k.yaml"], {}),
    ).toEqual({
      apiUrl: "http://127.0.0.1:4000",
      bootstrapToken: token,
      logLevel: "info",
      mode: "shell",
      kubeconfigPath: "k.yaml",
      stateFile: ".switchyard-agent-state.json",
      telemetry: undefined,
    });
  });

  it("reads the in-cluster form from the environment", () => {
    expect(
      readConfig([], {
        SWITCHYARD_API_URL: "https://switchyard.example.com",
        SWITCHYARD_BOOTSTRAP_TOKEN: token,
        KUBERNETES_SERVICE_HOST: "10.96.0.1",
      }),
    ).toEqual({
      apiUrl: "https://switchyard.example.com",
      bootstrapToken: token,
      logLevel: "info",
      mode: "in-cluster",
      secretNamespace: "switchyard-system",
      secretName: "switchyard-agent",
      telemetry: undefined,
    });
  });

  it("lets flags win over the environment and needs no token once a credential is stored", () => {
    const config = readConfig(
      ["--api", "http://flag:1", "--kubeconfig", "k", "--state-file", "/tmp/s.json", "--log-level", "debug"],
      { SWITCHYARD_API_URL: "http://env:1" },
    );
    expect(config).toMatchObject({
      apiUrl: "http://flag:1",
      bootstrapToken: undefined,
      stateFile: "/tmp/s.json",
      logLevel: "debug",
    });
  });

  it("names every missing or bad setting", () => {
    expect(() => readConfig([], {})).toThrow(
      /--api \(or SWITCHYARD_API_URL\) is required[\s\S]*--kubeconfig is required/,
    );
    expect(() => readConfig(["--api", "not a url", "--token", "short"], {})).toThrow(ConfigError);
    expect(() => readConfig(["--api", "not a url", "--token", "short"], {})).toThrow(/--api[\s\S]*--token/);
    expect(() => readConfig(["--bogus"], {})).toThrow(/Unknown option '--bogus'/);
  });

  it("reads telemetry settings from flags: a Prometheus URL, repeatable metrics URLs, an interval", () => {
    const base = ["--api", "http://a:1", "--kubeconfig", "k"];
    expect(readConfig([...base, "--prometheus-url", "http://prom:9090"], {})).toMatchObject({
      telemetry: { prometheusUrl: "http://prom:9090", metricsUrls: [], intervalSeconds: 15 },
    });
    expect(
      readConfig(
        [
          ...base,
          "--metrics-url",
          "http://sim:1/metrics/istio",
          "--metrics-url",
          "http://sim:2/metrics/istio",
          "--telemetry-interval",
          "1.5",
        ],
        {},
      ),
    ).toMatchObject({
      telemetry: {
        prometheusUrl: undefined,
        metricsUrls: ["http://sim:1/metrics/istio", "http://sim:2/metrics/istio"],
        intervalSeconds: 1.5,
      },
    });
  });

  it("reads telemetry settings from the environment; flags win; none means no telemetry", () => {
    const base = ["--api", "http://a:1", "--kubeconfig", "k"];
    const env = {
      SWITCHYARD_PROMETHEUS_URL: "http://prom:9090",
      SWITCHYARD_METRICS_URLS: "http://sim:1/metrics/istio, http://sim:2/metrics/istio,",
      SWITCHYARD_TELEMETRY_INTERVAL_SECONDS: "30",
    };
    expect(readConfig(base, env)).toMatchObject({
      telemetry: {
        prometheusUrl: "http://prom:9090",
        metricsUrls: ["http://sim:1/metrics/istio", "http://sim:2/metrics/istio"],
        intervalSeconds: 30,
      },
    });
    expect(
      readConfig([...base, "--telemetry-interval", "5", "--prometheus-url", "http://p:1"], env),
    ).toMatchObject({
      telemetry: { prometheusUrl: "http://p:1", intervalSeconds: 5 },
    });
    expect(readConfig(base, { SWITCHYARD_TELEMETRY_INTERVAL_SECONDS: "30" })).toMatchObject({
      telemetry: undefined,
    });
  });

  it("rejects bad telemetry settings", () => {
    const base = ["--api", "http://a:1", "--kubeconfig", "k"];
    expect(() => readConfig([...base, "--prometheus-url", "nope"], {})).toThrow(
      /--prometheus-url must be a URL/,
    );
    expect(() => readConfig([...base, "--telemetry-interval", "0"], {})).toThrow(/--telemetry-interval/);
    expect(() => readConfig([...base, "--telemetry-interval", "abc"], {})).toThrow(/--telemetry-interval/);
    expect(() => readConfig(base, { SWITCHYARD_METRICS_URLS: "http://ok:1,not a url" })).toThrow(
      /SWITCHYARD_METRICS_URLS/,
    );
  });

  it("answers --help", () => {
    expect(readConfig(["--help"], {})).toBe("help");
  });
});
