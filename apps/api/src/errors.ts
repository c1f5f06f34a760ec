// One application error type for domain code; the tRPC layer maps its code (see trpc/init.ts).
export const appErrorCodes = {
  /** The caller is not signed in, or their session is no longer valid. */
  UNAUTHENTICATED: "UNAUTHORIZED",
  /** Signed in, but the role is too low for this action. */
  FORBIDDEN: "FORBIDDEN",
  /** The thing does not exist, or the caller may not know it exists. */
  NOT_FOUND: "NOT_FOUND",
  /** The request conflicts with current state (duplicate, last owner, already used). */
  CONFLICT: "CONFLICT",
  /** Input is well-formed but not acceptable (expired token, wrong password). */
  INVALID: "BAD_REQUEST",
  /** Too many attempts; try again later. */
  RATE_LIMITED: "TOO_MANY_REQUESTS",
} as const;

export type AppErrorCode = keyof typeof appErrorCodes;

export class AppError extends Error {
  readonly code: AppErrorCode;
  /** The input field at fault, so a form can show the message beside it. */
  readonly field: string | undefined;

  constructor(code: AppErrorCode, message: string, options: { field?: string } = {}) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.field = options.field;
  }
}
