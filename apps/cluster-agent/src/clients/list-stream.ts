/**
 * Splits a Kubernetes list response as it arrives: every element of its `items` array is parsed on
 * its own and handed on at once, and the other top-level fields (kind, metadata, …) are returned at
 * the end. A page of 500 pods is ~1.5 MB of JSON; parsing it whole holds the text, the full parsed
 * tree and the slim forms at the same time, for every resource listed in parallel, and that
 * transient is most of the agent's peak memory. Item by item, only one raw object is alive at a time.
 *
 * It only tracks nesting, strings and escapes; each piece it cuts out goes through JSON.parse, so
 * malformed input still fails as JSON (an Error from `write` or `end`).
 */

const quote = 0x22; // "
const backslash = 0x5c; // \
const openBrace = 0x7b; // {
const closeBrace = 0x7d; // }
const openBracket = 0x5b; // [
const closeBracket = 0x5d; // ]
const colon = 0x3a; // :
const comma = 0x2c; // ,

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

export class ListStreamParser {
  private depth = 0;
  private isInString = false;
  private isEscaped = false;
  /** After a top-level key's colon, until its value's first character. */
  private isAwaitingValue = false;
  /** Inside the top-level `items` array. */
  private isInItems = false;
  private sawItems = false;
  private key = "";
  /** What the text being cut out is: a top-level key, an item, or another top-level value. */
  private capture: "none" | "key" | "item" | "value" = "none";
  /** The captured text from earlier chunks. */
  private pending = "";
  private readonly fields: Record<string, unknown> = {};

  constructor(private readonly onItem: (item: unknown) => void) {}

  write(chunk: string): void {
    let start = 0;
    for (let index = 0; index < chunk.length; index++) {
      const code = chunk.charCodeAt(index);
      if (this.isInString) {
        if (this.isEscaped) this.isEscaped = false;
        else if (code === backslash) this.isEscaped = true;
        else if (code === quote) {
          this.isInString = false;
          if (this.capture === "key") {
            const key = this.parseCaptured(chunk, start, index + 1);
            this.key = typeof key === "string" ? key : "";
          }
        }
        continue;
      }
      if (isWhitespace(code)) continue;
      if (this.depth === 1 && this.isAwaitingValue) {
        this.isAwaitingValue = false;
        if (code === openBracket && this.key === "items") {
          this.isInItems = true;
          this.sawItems = true;
          this.depth = 2;
          continue;
        }
        this.capture = "value";
        start = index;
      }
      switch (code) {
        case quote:
          this.isInString = true;
          if (this.depth === 1 && this.capture === "none") {
            this.capture = "key";
            start = index;
          }
          break;
        case openBrace:
        case openBracket:
          if (this.isInItems && this.depth === 2 && this.capture === "none") {
            this.capture = "item";
            start = index;
          }
          this.depth++;
          break;
        case closeBrace:
        case closeBracket:
          this.depth--;
          if (this.capture === "item" && this.depth === 2) {
            this.onItem(this.parseCaptured(chunk, start, index + 1));
          } else if (this.isInItems && this.depth === 1) {
            this.isInItems = false;
          } else if (this.depth === 0 && this.capture === "value") {
            this.fields[this.key] = this.parseCaptured(chunk, start, index);
          } else if (this.depth < 0) {
            throw new Error("unbalanced JSON");
          }
          break;
        case colon:
          if (this.depth === 1) this.isAwaitingValue = true;
          break;
        case comma:
          if (this.depth === 1 && this.capture === "value") {
            this.fields[this.key] = this.parseCaptured(chunk, start, index);
          }
          break;
      }
    }
    if (this.capture !== "none") this.pending += chunk.slice(start);
  }

  /** The top-level fields other than `items`; throws when the body was not one complete list. */
  end(): Record<string, unknown> {
    if (this.depth !== 0 || this.isInString || !this.sawItems) {
      throw new Error("not a complete list response");
    }
    return this.fields;
  }

  /** JSON.parse of the captured text (earlier chunks plus chunk[start, end)); ends the capture. */
  private parseCaptured(chunk: string, start: number, end: number): unknown {
    const text = this.pending === "" ? chunk.slice(start, end) : this.pending + chunk.slice(start, end);
    this.pending = "";
    this.capture = "none";
    return JSON.parse(text);
  }
}
