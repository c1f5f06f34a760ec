import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { encodeJson } from "../serialize";

/** Headers every API response carries. */
export function baseHeaders(): Record<string, string> {
  return { "Audit-Id": randomUUID(), "Cache-Control": "no-cache, private" };
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string | string[]> = {},
): void {
  const text = encodeJson(body);
  response.writeHead(status, {
    ...baseHeaders(),
    "Content-Type": "application/json",
    ...headers,
    "Content-Length": String(Buffer.byteLength(text)),
  });
  response.end(text);
}

/** The Go mux's answer for paths no API serves. */
export function sendPageNotFound(response: ServerResponse): void {
  const text = "404 page not found\n";
  response.writeHead(404, {
    ...baseHeaders(),
    "Content-Type": "text/plain; charset=utf-8",
    "X-Content-Type-Options": "nosniff",
    "Content-Length": String(Buffer.byteLength(text)),
  });
  response.end(text);
}
