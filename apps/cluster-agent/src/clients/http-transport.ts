/**
 * One request, one whole answer: how the agent's API client sends its calls (all but the events
 * stream). The default goes over node:http(s) with kept-alive connections: after an apply every
 * agent calls twice, and fetch's web streams, abort signals and Response objects cost several
 * times the CPU of the request itself (measured with the propagation benchmark's profile).
 * Tests inject fetch instead.
 */
import http from "node:http";
import https from "node:https";

export interface HttpExchange {
  method: "GET" | "POST";
  url: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal | undefined;
  /** No answer (headers and body) within this long fails the call; none: no limit. */
  timeoutMs?: number | undefined;
}

export interface HttpAnswer {
  status: number;
  text: string;
}

/** Rejects on a network failure, a timeout or an abort; any HTTP status is an answer. */
export type HttpTransport = (exchange: HttpExchange) => Promise<HttpAnswer>;

export function nodeHttpTransport(): HttpTransport {
  const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  const once = (exchange: HttpExchange): Promise<HttpAnswer> =>
    new Promise((resolve, reject) => {
      const url = new URL(exchange.url);
      const isHttp = url.protocol === "http:";
      const request = (isHttp ? http : https).request(url, {
        method: exchange.method,
        headers: exchange.headers,
        agent: isHttp ? agents.http : agents.https,
        ...(exchange.signal ? { signal: exchange.signal } : {}),
      });
      if (exchange.timeoutMs !== undefined) {
        const timer = setTimeout(
          () => request.destroy(new Error(`no answer in ${exchange.timeoutMs} ms`)),
          exchange.timeoutMs,
        );
        request.once("close", () => clearTimeout(timer));
      }
      request.once("error", (error) =>
        reject(Object.assign(error, { isReusedSocket: request.reusedSocket })),
      );
      request.once("response", (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.once("error", reject);
        response.once("end", () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
        );
      });
      request.end(exchange.body);
    });
  return async (exchange) => {
    try {
      return await once(exchange);
    } catch (error) {
      // A kept-alive socket the server closed just as we reused it: the request never reached
      // the server, so it is safe to send once more, on a new connection.
      const failure = error as NodeJS.ErrnoException & { isReusedSocket?: boolean };
      if (failure.code === "ECONNRESET" && failure.isReusedSocket && !exchange.signal?.aborted)
        return once(exchange);
      throw error;
    }
  };
}

export function fetchTransport(fetchFunction: typeof fetch): HttpTransport {
  return async (exchange) => {
    const signals = [
      exchange.signal,
      exchange.timeoutMs === undefined ? undefined : AbortSignal.timeout(exchange.timeoutMs),
    ].filter((signal): signal is AbortSignal => signal !== undefined);
    const response = await fetchFunction(exchange.url, {
      method: exchange.method,
      headers: exchange.headers,
      body: exchange.body,
      signal: signals.length === 0 ? undefined : AbortSignal.any(signals),
    });
    return { status: response.status, text: await response.text() };
  };
}
