// A line diff of two YAML texts (longest common subsequence): resources are a few dozen lines, so
// the quadratic table is cheap and keeps the console free of a diff dependency.
type DiffLine = { kind: "same" | "added" | "removed"; text: string };

export function diffLines(before: string, after: string): DiffLine[] {
  const a = before.replace(/\n$/, "").split("\n");
  const b = after.replace(/\n$/, "").split("\n");
  const table: number[][] = Array.from({ length: a.length + 1 }, () =>
    new Array<number>(b.length + 1).fill(0),
  );
  const at = (i: number, j: number) => table[i]?.[j] ?? 0;
  for (let i = a.length - 1; i >= 0; i -= 1) {
    const row = table[i];
    if (!row) continue;
    for (let j = b.length - 1; j >= 0; j -= 1) {
      row[j] = a[i] === b[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push({ kind: "same", text: a[i] ?? "" });
      i += 1;
      j += 1;
    } else if (j < b.length && (i >= a.length || at(i, j + 1) >= at(i + 1, j))) {
      out.push({ kind: "added", text: b[j] ?? "" });
      j += 1;
    } else {
      out.push({ kind: "removed", text: a[i] ?? "" });
      i += 1;
    }
  }
  return out;
}

const marks = { same: " ", added: "+", removed: "-" } as const;

export function LineDiff({
  before,
  after,
  "data-test": dataTest,
}: {
  before: string;
  after: string;
  "data-test"?: string;
}) {
  return (
    <pre className="diff" data-test={dataTest}>
      {diffLines(before, after).map((line, index) => (
        // Lines of a diff have no identity beyond their position.
        // biome-ignore lint/suspicious/noArrayIndexKey: positional diff lines
        <span key={index} className={`diff__line diff__line--${line.kind}`} data-test={`diff-${line.kind}`}>
          {marks[line.kind]} {line.text}
          {"\n"}
        </span>
      ))}
    </pre>
  );
}
