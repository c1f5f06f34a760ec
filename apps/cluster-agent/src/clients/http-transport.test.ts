import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeHttpTransport } from "./http-transport";

describe("nodeHttpTransport", () => {
  let server: http.Server;
  let url: string;
  const connections: unknown[] = [];

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        if (request.url === "/slow") return; // never answers
        const status = request.url === "/missing" ? 404 : 200;
        response.writeHead(status, { "content-type": "application/json" });
        response.end(
          JSON.stringify({
            method: request.method,
            body: Buffer.concat(chunks).toString(),
            authorization: request.headers.authorization ?? null,
          }),
        );
      });
    });
    server.on("connection", (socket) => connections.push(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("answers with the status and the whole body, any status being an answer", async () => {
    const transport = nodeHttpTransport();
    const answer = await transport({
      method: "POST",
      url: `${url}/echo`,
      headers: { authorization: "Bearer x", "content-type": "application/json" },
      body: '{"a":1}',
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ method: "POST", body: '{"a":1}', authorization: "Bearer x" });
    expect((await transport({ method: "GET", url: `${url}/missing`, headers: {} })).status).toBe(404);
  });

  it("keeps the connection alive between calls", async () => {
    const transport = nodeHttpTransport();
    const before = connections.length;
    for (let i = 0; i < 3; i++) await transport({ method: "GET", url: `${url}/echo`, headers: {} });
    expect(connections.length - before).toBe(1);
  });

  it("fails a call with no answer in time, and an aborted one", async () => {
    const transport = nodeHttpTransport();
    await expect(
      transport({ method: "GET", url: `${url}/slow`, headers: {}, timeoutMs: 50 }),
    ).rejects.toThrow("no answer in 50 ms");
    const abort = new AbortController();
    const call = transport({ method: "GET", url: `${url}/slow`, headers: {}, signal: abort.signal });
    abort.abort();
    await expect(call).rejects.toThrow();
  });
});
