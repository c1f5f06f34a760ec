import { describe, expect, it } from "vitest";
import { imageTag } from "./kubernetes";

describe("imageTag", () => {
  it("reads the version from istiod's image", () => {
    expect(imageTag("docker.io/istio/pilot:1.30.3")).toBe("1.30.3");
    expect(imageTag("registry.local:5000/istio/pilot:1.22.1-distroless")).toBe("1.22.1");
    expect(imageTag("gcr.io/istio-release/pilot:1.20.0@sha256:abcd")).toBe("1.20.0");
  });

  it("has no version without a tag, even with a registry port", () => {
    expect(imageTag("registry.local:5000/istio/pilot")).toBeNull();
    expect(imageTag("istio/pilot@sha256:abcd")).toBeNull();
  });
});
