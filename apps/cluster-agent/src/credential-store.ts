/**
 * Where the per-cluster credential lives between restarts. The agent writes it here before it
 * uses it, so a restart after registering (or rotating) never needs the single-use bootstrap
 * token again. In-cluster: a key of the agent's Secret. From a shell: a JSON file, mode 0600.
 */
import { chmod, readFile, rename, writeFile } from "node:fs/promises";
import { z } from "zod";
import type { KubernetesClient } from "./clients/kubernetes";
import { FatalAgentError } from "./errors";

export const StoredCredential = z.object({
  credential: z.string().min(1),
  clusterId: z.string().optional(),
  clusterName: z.string().optional(),
  /**
   * The desired-configuration version this cluster last reached, kept with the credential so a
   * restart resumes from it (and never skips or needlessly re-applies a version).
   */
  reachedConfigVersion: z.number().int().nonnegative().optional(),
});
export type StoredCredential = z.infer<typeof StoredCredential>;

export interface CredentialStore {
  /** Where, for log lines. */
  readonly description: string;
  load(): Promise<StoredCredential | undefined>;
  save(credential: StoredCredential): Promise<void>;
}

export class FileCredentialStore implements CredentialStore {
  constructor(private readonly path: string) {}

  get description(): string {
    return `state file ${this.path}`;
  }

  async load(): Promise<StoredCredential | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if (isNodeError(error) && error.code === "ENOENT") return undefined;
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new FatalAgentError(
        `the state file ${this.path} is not JSON; remove it to register again`,
        "bad_state",
      );
    }
    const parsed = StoredCredential.safeParse(json);
    if (!parsed.success) {
      throw new FatalAgentError(
        `the state file ${this.path} has no credential; remove it to register again`,
        "bad_state",
      );
    }
    return parsed.data;
  }

  async save(credential: StoredCredential): Promise<void> {
    // Write then rename: a crash mid-write must not leave a torn file (and lose the credential).
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(credential, null, 2)}\n`, { mode: 0o600 });
    await chmod(temporary, 0o600);
    await rename(temporary, this.path);
  }
}

export class SecretCredentialStore implements CredentialStore {
  constructor(
    private readonly kube: KubernetesClient,
    private readonly namespace: string,
    private readonly name: string,
    private readonly key = "credential",
    private readonly versionKey = "reached-config-version",
  ) {}

  get description(): string {
    return `secret ${this.namespace}/${this.name} key ${this.key}`;
  }

  async load(): Promise<StoredCredential | undefined> {
    const secret = await this.kube.readSecret(this.namespace, this.name);
    const encoded = secret?.data?.[this.key];
    if (encoded === undefined || encoded === "") return undefined;
    const credential = Buffer.from(encoded, "base64").toString("utf8").trim();
    if (credential === "") return undefined;
    const version = Number(Buffer.from(secret?.data?.[this.versionKey] ?? "", "base64").toString("utf8"));
    // A damaged or missing version only costs a re-apply of the current one, never a lost credential.
    return Number.isSafeInteger(version) && version > 0
      ? { credential, reachedConfigVersion: version }
      : { credential };
  }

  async save(credential: StoredCredential): Promise<void> {
    const data: Record<string, string> = {
      [this.key]: Buffer.from(credential.credential, "utf8").toString("base64"),
    };
    if (credential.reachedConfigVersion !== undefined) {
      data[this.versionKey] = Buffer.from(String(credential.reachedConfigVersion), "utf8").toString("base64");
    }
    const secret = await this.kube.readSecret(this.namespace, this.name);
    if (!secret) {
      await this.kube.createSecret({
        apiVersion: "v1",
        kind: "Secret",
        metadata: { namespace: this.namespace, name: this.name },
        type: "Opaque",
        data,
      });
      return;
    }
    // A replace with the read resourceVersion: a concurrent writer makes it fail (409), never lose.
    await this.kube.replaceSecret({ ...secret, data: { ...secret.data, ...data } });
  }
}

/** For tests and in-process use. */
export class MemoryCredentialStore implements CredentialStore {
  readonly description = "memory";
  constructor(public value: StoredCredential | undefined = undefined) {}
  async load() {
    return this.value;
  }
  async save(credential: StoredCredential) {
    this.value = credential;
  }
}

function isNodeError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && "code" in error;
}
