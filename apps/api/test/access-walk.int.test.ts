// Walks every procedure of the router, taken from the router itself, so a new procedure is covered
// without editing this test: each must declare its access, and is refused for an anonymous caller,
// for a member of another organization, and for every role below the one it needs.
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { roleOrder } from "../src/orgs/roles";
import { appRouter } from "../src/router";
import type { SessionUser } from "../src/trpc/context";
import type { ProcedureAccess } from "../src/trpc/init";
import { addMember, callerFor, createTestServices, signUpOwner, type TestServices } from "./harness";

// At runtime `_def.procedures` is flat, keyed by dotted path; its declared type is the nested shape.
const procedures = Object.entries(
  appRouter._def.procedures as unknown as Record<string, { _def: { meta?: ProcedureAccess } }>,
);

function procedureAt(caller: unknown, path: string): (input: unknown) => Promise<unknown> {
  let node: unknown = caller;
  for (const segment of path.split(".")) node = (node as Record<string, unknown>)[segment];
  if (typeof node !== "function") throw new Error(`no procedure at ${path}`);
  return node as (input: unknown) => Promise<unknown>;
}

async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return "OK";
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    throw error;
  }
}

let services: TestServices;
let owner: SessionUser;
let orgSlug: string;
let outsider: SessionUser;
const usersByRole = new Map<string, SessionUser>();

beforeAll(async () => {
  services = createTestServices();
  ({ user: owner, orgSlug } = await signUpOwner(services, "walk-owner"));
  usersByRole.set("owner", owner);
  for (const role of ["admin", "editor", "viewer"] as const) {
    usersByRole.set(role, await addMember(services, owner, orgSlug, role));
  }
  // The owner of another organization: a full member elsewhere, nobody here.
  ({ user: outsider } = await signUpOwner(services, "walk-outsider"));
});

afterAll(async () => {
  await services.close();
});

describe("every procedure", () => {
  it("the router has procedures to walk", () => {
    expect(procedures.length).toBeGreaterThan(10);
  });

  it.each(procedures.map(([path, procedure]) => [path, procedure._def.meta] as const))(
    "%s declares who may call it",
    (_path, meta) => {
      expect(meta).toBeDefined();
      expect(["public", "user", "org"]).toContain(meta?.access);
      if (meta?.access === "public") expect(meta.why.length).toBeGreaterThan(10);
    },
  );

  const guarded = procedures.filter(([, procedure]) => procedure._def.meta?.access !== "public");

  it.each(guarded.map(([path]) => path))("%s refuses an anonymous caller", async (path) => {
    expect(await codeOf(procedureAt(callerFor(services, null), path)({ orgSlug }))).toBe("UNAUTHORIZED");
  });

  const orgScoped = guarded.filter(([, procedure]) => procedure._def.meta?.access === "org");

  it.each(orgScoped.map(([path]) => path))("%s refuses a member of another organization", async (path) => {
    expect(await codeOf(procedureAt(callerFor(services, outsider), path)({ orgSlug }))).toBe("NOT_FOUND");
  });

  it.each(orgScoped.map(([path, procedure]) => [path, procedure._def.meta] as const))(
    "%s refuses every role below the one it needs and lets the others past",
    async (path, meta) => {
      if (meta?.access !== "org") throw new Error("not org-scoped");
      const needed = roleOrder.indexOf(meta.minRole);
      for (const [index, role] of roleOrder.entries()) {
        const user = usersByRole.get(role);
        if (!user) throw new Error(`no ${role} user`);
        // Only the org slug is sent: access is decided before the rest of the input is parsed, so
        // an allowed caller gets past access and may then fail on input (BAD_REQUEST) or succeed.
        const code = await codeOf(procedureAt(callerFor(services, user), path)({ orgSlug }));
        if (index < needed) expect(code, `${role} calling ${path}`).toBe("FORBIDDEN");
        else expect(["OK", "BAD_REQUEST"], `${role} calling ${path}`).toContain(code);
      }
    },
  );
});
