// Reading the API's errors: `data.fieldErrors` (field -> messages) for forms, `data.code` for flow.
import { TRPCClientError } from "@trpc/client";

export type FieldErrors = Record<string, string[]>;

function dataOf(error: unknown): Record<string, unknown> | null {
  if (!(error instanceof TRPCClientError)) return null;
  const data: unknown = error.data;
  return typeof data === "object" && data !== null ? (data as Record<string, unknown>) : null;
}

export function errorCodeOf(error: unknown): string | undefined {
  const code = dataOf(error)?.code;
  return typeof code === "string" ? code : undefined;
}

export function fieldErrorsOf(error: unknown): FieldErrors {
  const fields = dataOf(error)?.fieldErrors;
  if (typeof fields !== "object" || fields === null) return {};
  const result: FieldErrors = {};
  for (const [key, value] of Object.entries(fields)) {
    if (Array.isArray(value)) result[key] = value.filter((item): item is string => typeof item === "string");
  }
  return result;
}

export function messageOf(error: unknown): string {
  if (error instanceof TRPCClientError && error.message) return error.message;
  if (error instanceof Error && error.message) return error.message;
  return "Something went wrong.";
}

/**
 * The message for the form-level banner: none when every problem is already shown beside one of the
 * form's own fields, so the user does not read the same thing twice.
 */
export function formErrorOf(error: unknown, fields: readonly string[]): string | null {
  if (!error) return null;
  const fieldErrors = fieldErrorsOf(error);
  const keys = Object.keys(fieldErrors);
  if (keys.length > 0 && keys.every((key) => fields.includes(key))) return null;
  const formMessages = fieldErrors._form;
  if (formMessages?.[0]) return formMessages[0];
  return messageOf(error);
}

/** 4xx answers will not change on a retry; network failures and 5xx may. */
export function isRetryable(error: unknown): boolean {
  const code = errorCodeOf(error);
  return !code || code === "INTERNAL_SERVER_ERROR" || code === "TIMEOUT";
}
