// A small YAML reader and writer for the policy editor's form <-> YAML tab round trip. The console
// does not depend on a YAML library; policies use a narrow subset (block maps and lists, one-line
// flow maps and lists, plain and quoted scalars), and the API's validate is the real parser: text
// this reader cannot follow just stays in the YAML tab.

export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };
export type YamlMap = { [key: string]: YamlValue };

export class YamlSubsetError extends Error {}

// ---- writing ---------------------------------------------------------------------------------

const plainUnsafe = /^[\s\-?:,[\]{}#&*!|>'"%@`]|[:#]\s|\s$|^$|[\n\t]|:$/;
const looksLikeOther =
  /^(true|false|null|~|yes|no|on|off|[-+]?(\d[\d_]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?|0x[0-9a-f]+)$/i;

function scalar(value: string | number | boolean | null): string {
  if (value === null) return "null";
  if (typeof value !== "string") return String(value);
  if (plainUnsafe.test(value) || looksLikeOther.test(value)) return JSON.stringify(value);
  return value;
}

function isEmptyCollection(value: YamlValue): boolean {
  return (Array.isArray(value) && value.length === 0) || (isMap(value) && Object.keys(value).length === 0);
}

function isMap(value: YamlValue | undefined): value is YamlMap {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function writeBlock(value: YamlValue, indent: string): string[] {
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      if ((isMap(item) || Array.isArray(item)) && !isEmptyCollection(item)) {
        const [first = "", ...rest] = writeBlock(item, `${indent}  `);
        return [`${indent}- ${first.trimStart()}`, ...rest];
      }
      return [`${indent}- ${writeInline(item)}`];
    });
  }
  if (isMap(value)) {
    return Object.entries(value).flatMap(([key, item]) => {
      if ((isMap(item) || Array.isArray(item)) && !isEmptyCollection(item)) {
        return [`${indent}${scalar(key)}:`, ...writeBlock(item, `${indent}  `)];
      }
      return [`${indent}${scalar(key)}: ${writeInline(item)}`];
    });
  }
  return [`${indent}${scalar(value)}`];
}

function writeInline(value: YamlValue): string {
  if (Array.isArray(value)) return `[${value.map(writeInline).join(", ")}]`;
  if (isMap(value))
    return `{ ${Object.entries(value)
      .map(([key, item]) => `${scalar(key)}: ${writeInline(item)}`)
      .join(", ")} }`;
  return scalar(value);
}

export function toYaml(value: YamlValue): string {
  return `${writeBlock(value, "").join("\n")}\n`;
}

// ---- reading ---------------------------------------------------------------------------------

type Line = { indent: number; text: string; number: number };

function stripComment(text: string): string {
  let quote: string | null = null;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (quote) {
      if (char === quote) quote = null;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === "#" && (index === 0 || text[index - 1] === " ")) {
      return text.slice(0, index);
    }
  }
  return text;
}

function bracketBalance(text: string): number {
  let depth = 0;
  let quote: string | null = null;
  for (const char of text) {
    if (quote) {
      if (char === quote) quote = null;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === "{" || char === "[") depth += 1;
    else if (char === "}" || char === "]") depth -= 1;
  }
  return depth;
}

function toLines(text: string): Line[] {
  const lines: Line[] = [];
  const raw = text.replace(/\r\n?/g, "\n").split("\n");
  for (let index = 0; index < raw.length; index += 1) {
    const source = raw[index] ?? "";
    if (/^\s*\t/.test(source)) throw new YamlSubsetError(`line ${index + 1}: tabs cannot indent YAML`);
    const cleaned = stripComment(source).trimEnd();
    if (cleaned.trim() === "" || cleaned.trim() === "---") continue;
    if (cleaned.trim() === "...") break;
    let joined = cleaned;
    // A flow collection may continue on the following lines until its brackets close.
    while (bracketBalance(joined) > 0 && index + 1 < raw.length) {
      index += 1;
      joined += ` ${stripComment(raw[index] ?? "").trim()}`;
    }
    const indent = joined.length - joined.trimStart().length;
    lines.push({ indent, text: joined.trim(), number: index + 1 });
  }
  return lines;
}

/** Splits `key: rest` at the first colon that ends a plain or quoted key. */
function splitKey(text: string): [string, string] | null {
  const quoted = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*')\s*:(\s|$)/.exec(text);
  if (quoted?.[1]) return [parseScalar(quoted[1]) as string, text.slice(quoted[0].length).trim()];
  const match = /^([^\s"'{[\]},#][^:]*?)\s*:(\s|$)/.exec(text);
  if (!match?.[1]) return null;
  return [match[1], text.slice(match[0].length).trim()];
}

function parseScalar(text: string): YamlValue {
  if (text.startsWith('"')) {
    try {
      return JSON.parse(text) as string;
    } catch {
      throw new YamlSubsetError(`bad quoted string ${text}`);
    }
  }
  if (text.startsWith("'")) {
    if (!text.endsWith("'") || text.length < 2) throw new YamlSubsetError(`bad quoted string ${text}`);
    return text.slice(1, -1).replace(/''/g, "'");
  }
  if (text === "null" || text === "~" || text === "") return null;
  if (text === "true") return true;
  if (text === "false") return false;
  if (/^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(text)) return Number(text);
  if (/^[|>]/.test(text)) throw new YamlSubsetError("block scalars (| and >) are not supported by the form");
  if (/^[&*!]/.test(text))
    throw new YamlSubsetError("anchors, aliases and tags are not supported by the form");
  return text;
}

/** Reads one flow value (`{ a: 1, b: [x, y] }`) from `text` starting at `position`. */
function parseFlow(text: string): YamlValue {
  let position = 0;
  const skip = () => {
    while (text[position] === " ") position += 1;
  };
  const readPlain = (stops: string): string => {
    const start = position;
    if (text[position] === '"' || text[position] === "'") {
      const quote = text[position];
      position += 1;
      while (position < text.length && text[position] !== quote) {
        if (text[position] === "\\" && quote === '"') position += 1;
        position += 1;
      }
      position += 1;
      return text.slice(start, position);
    }
    while (position < text.length && !stops.includes(text[position] ?? "")) {
      // A colon only ends a key when a space or a closing bracket follows it.
      if (text[position] === ":" && stops.includes(":") && /[\s,}\]]/.test(text[position + 1] ?? " ")) break;
      position += 1;
    }
    return text.slice(start, position).trim();
  };
  const value = (): YamlValue => {
    skip();
    const char = text[position];
    if (char === "{") {
      position += 1;
      const map: YamlMap = {};
      for (;;) {
        skip();
        if (text[position] === "}") {
          position += 1;
          return map;
        }
        const key = parseScalar(readPlain(":,}"));
        skip();
        if (text[position] !== ":") throw new YamlSubsetError(`expected ':' in ${text}`);
        position += 1;
        map[String(key)] = value();
        skip();
        if (text[position] === ",") position += 1;
        else if (text[position] !== "}") throw new YamlSubsetError(`expected ',' or '}' in ${text}`);
      }
    }
    if (char === "[") {
      position += 1;
      const list: YamlValue[] = [];
      for (;;) {
        skip();
        if (text[position] === "]") {
          position += 1;
          return list;
        }
        list.push(value());
        skip();
        if (text[position] === ",") position += 1;
        else if (text[position] !== "]") throw new YamlSubsetError(`expected ',' or ']' in ${text}`);
      }
    }
    return parseScalar(readPlain(",}]"));
  };
  const result = value();
  skip();
  if (position < text.length) throw new YamlSubsetError(`unexpected text after ${text.slice(0, position)}`);
  return result;
}

function parseInline(text: string): YamlValue {
  return text.startsWith("{") || text.startsWith("[") ? parseFlow(text) : parseScalar(text);
}

function parseBlock(lines: Line[], start: number, indent: number): [YamlValue, number] {
  const first = lines[start];
  if (!first) return [null, start];
  if (first.text.startsWith("- ") || first.text === "-") {
    const list: YamlValue[] = [];
    let index = start;
    while (index < lines.length) {
      const line = lines[index];
      if (!line || line.indent !== indent || !(line.text.startsWith("- ") || line.text === "-")) break;
      const rest = line.text.slice(1).trim();
      if (rest === "") {
        const [item, next] = parseBlock(lines, index + 1, lines[index + 1]?.indent ?? indent + 2);
        list.push(item);
        index = next;
      } else if (splitKey(rest) && !rest.startsWith("{")) {
        // `- key: value` opens a map whose further keys sit at the dash's indent + 2.
        const itemIndent = indent + (line.text.length - rest.length);
        const virtual = [...lines];
        virtual[index] = { indent: itemIndent, text: rest, number: line.number };
        const [item, next] = parseBlock(virtual, index, itemIndent);
        list.push(item);
        index = next;
      } else {
        list.push(parseInline(rest));
        index += 1;
      }
    }
    return [list, index];
  }
  const map: YamlMap = {};
  let index = start;
  while (index < lines.length) {
    const line = lines[index];
    if (!line || line.indent < indent) break;
    if (line.indent > indent) throw new YamlSubsetError(`line ${line.number}: unexpected indentation`);
    if (line.text.startsWith("- ")) break;
    const pair = splitKey(line.text);
    if (!pair) throw new YamlSubsetError(`line ${line.number}: expected "key: value"`);
    const [key, rest] = pair;
    if (rest !== "") {
      map[key] = parseInline(rest);
      index += 1;
      continue;
    }
    const next = lines[index + 1];
    // A list may sit at the same indent as its key; anything else nested must be deeper.
    if (next && (next.indent > indent || (next.indent === indent && next.text.startsWith("- ")))) {
      const [value, after] = parseBlock(lines, index + 1, next.indent);
      map[key] = value;
      index = after;
    } else {
      map[key] = null;
      index += 1;
    }
  }
  return [map, index];
}

/** Parses one YAML document of the supported subset; throws YamlSubsetError otherwise. */
export function fromYaml(text: string): YamlValue {
  if (/^---\s*$/m.test(text.trim().replace(/^---\s*\n/, ""))) {
    throw new YamlSubsetError("the form edits one policy; this text holds several documents");
  }
  const lines = toLines(text);
  const first = lines[0];
  if (!first) return null;
  if (lines.length === 1 && !splitKey(first.text) && !first.text.startsWith("- ")) {
    return parseInline(first.text);
  }
  const [value, next] = parseBlock(lines, 0, first.indent);
  const rest = lines[next];
  if (rest) throw new YamlSubsetError(`line ${rest.number}: unexpected indentation`);
  return value;
}

export function isYamlMap(value: YamlValue | undefined): value is YamlMap {
  return isMap(value);
}
