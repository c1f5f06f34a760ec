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

  it("answers --help", () => {
    expect(readConfig(["--help"], {})).toBe("help");
  });
});
