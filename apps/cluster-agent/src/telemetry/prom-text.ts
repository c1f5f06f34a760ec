/**
 * A parser for Prometheus' text exposition format (0.0.4), line by line, so a scrape is never
 * held in memory whole: `readLines` splits a response body as it arrives, `parseSampleLine`
 * reads one sample line. Comments (`# HELP`, `# TYPE`) and blank lines are skipped; timestamps
 * after the value are ignored.
 */

export interface ParsedSample {
  name: string;
  /** The text between the braces, as served: a stable series identity without re-serializing. */
  labelText: string;
  labels: Record<string, string>;
  value: number;
}

/** Yields the lines of a UTF-8 body as chunks arrive (`\n` or `\r\n`). */
export async function* readLines(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of body) {
    pending += decoder.decode(chunk, { stream: true });
    let start = 0;
    let newline = pending.indexOf("\n", start);
    while (newline !== -1) {
      yield stripCr(pending.slice(start, newline));
      start = newline + 1;
      newline = pending.indexOf("\n", start);
    }
    pending = pending.slice(start);
  }
  pending += decoder.decode();
  if (pending !== "") yield stripCr(pending);
}

function stripCr(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}

/** The metric name at the start of a sample line (cheap; lets callers skip lines early). */
export function metricNameOf(line: string): string | undefined {
  if (line === "" || line.startsWith("#")) return undefined;
  let end = 0;
  while (end < line.length) {
    const char = line.charCodeAt(end);
    // {, space, tab end the name
    if (char === 123 || char === 32 || char === 9) break;
    end++;
  }
  return end === 0 ? undefined : line.slice(0, end);
}

export class ExpositionParseError extends Error {}

/** One sample line; undefined for comments and blank lines; throws on a malformed line. */
export function parseSampleLine(line: string): ParsedSample | undefined {
  const name = metricNameOf(line.trimStart());
  if (name === undefined) return undefined;
  const text = line.trimStart();
  let position = name.length;
  const labels: Record<string, string> = {};
  let labelText = "";
  if (text[position] === "{") {
    const start = position + 1;
    position = start;
    for (;;) {
      while (text[position] === " " || text[position] === ",") position++;
      if (text[position] === "}") break;
      const equals = text.indexOf("=", position);
      if (equals === -1) throw new ExpositionParseError(`no '=' in labels: ${line.slice(0, 200)}`);
      const labelName = text.slice(position, equals).trim();
      position = equals + 1;
      while (text[position] === " ") position++;
      if (text[position] !== '"')
        throw new ExpositionParseError(`label value not quoted: ${line.slice(0, 200)}`);
      position++;
      let value = "";
      for (;;) {
        const char = text[position];
        if (char === undefined)
          throw new ExpositionParseError(`unterminated label value: ${line.slice(0, 200)}`);
        if (char === '"') break;
        if (char === "\\") {
          const next = text[position + 1];
          value += next === "n" ? "\n" : (next ?? "");
          position += 2;
          continue;
        }
        value += char;
        position++;
      }
      position++;
      labels[labelName] = value;
    }
    labelText = text.slice(start, position);
    position++;
  }
  const rest = text.slice(position).trim();
  const valueText = rest.split(/\s+/)[0] ?? "";
  const value = parseValue(valueText);
  if (value === undefined) throw new ExpositionParseError(`bad sample value: ${line.slice(0, 200)}`);
  return { name, labelText, labels, value };
}

function parseValue(text: string): number | undefined {
  if (text === "") return undefined;
  if (text === "+Inf" || text === "Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  if (text === "NaN") return Number.NaN;
  const value = Number(text);
  return Number.isNaN(value) ? undefined : value;
}
