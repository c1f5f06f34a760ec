// Secrets we hand out (invitation links, later bootstrap tokens and agent credentials) are random
// and shown once; only their SHA-256 is stored, so a database leak does not leak usable tokens.
import { createHash, randomBytes } from "node:crypto";

export function generateToken(): string {
  return randomBytes(32).toString("base64url");
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
