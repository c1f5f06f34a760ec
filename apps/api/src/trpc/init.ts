// tRPC setup: every procedure carries metadata saying who may call it (read by the access walk
// test), and errors reach the client with zod's field errors flattened so forms can show them.
import type { RoleName } from "@switchyard/db/client";
import { initTRPC, TRPCError } from "@trpc/server";
import { ZodError, z } from "zod";
import { AppError, appErrorCodes } from "../errors";
import type { Context } from "./context";

export type ProcedureAccess =
  | { access: "public"; why: string }
  | { access: "user" }
  | { access: "org"; minRole: RoleName };

export type FieldErrors = Record<string, string[]>;

function fieldErrorsOf(cause: unknown): FieldErrors | null {
  if (cause instanceof ZodError) {
    const flat = z.flattenError(cause);
    const fields: FieldErrors = { ...flat.fieldErrors } as FieldErrors;
    if (flat.formErrors.length > 0) fields._form = flat.formErrors;
    // Nested fields (e.g. labels.region) are keyed by their dotted path.
    for (const issue of cause.issues) {
      if (issue.path.length > 1) {
        const key = issue.path.join(".");
        fields[key] = [...(fields[key] ?? []), issue.message];
      }
    }
    return fields;
  }
  if (cause instanceof AppError && cause.field) return { [cause.field]: [cause.message] };
  return null;
}

const t = initTRPC
  .context<Context>()
  .meta<ProcedureAccess>()
  .create({
    errorFormatter({ shape, error }) {
      const fieldErrors = fieldErrorsOf(error.cause);
      const message =
        error.cause instanceof ZodError
          ? `Invalid input: ${error.cause.issues
              .map((issue) => `${issue.path.join(".") || "input"}: ${issue.message}`)
              .join("; ")}`
          : shape.message;
      return { ...shape, message, data: { ...shape.data, stack: undefined, fieldErrors } };
    },
  });

// Domain code throws AppError; turn it into the matching tRPC error once, here.
const appErrorMapping = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: appErrorCodes[cause.code], message: cause.message, cause });
  }
  return result;
});

export const router = t.router;
export const middleware = t.middleware;
export const createCallerFactory = t.createCallerFactory;
export const baseProcedure = t.procedure.use(appErrorMapping);
