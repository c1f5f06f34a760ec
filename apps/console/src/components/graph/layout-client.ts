/**
 * Positions for the graph: cached per organization in localStorage (keyed by node id), and computed
 * only for nodes without one, in a Web Worker, a group (namespace box or a cluster's namespaces) at
 * a time. The main thread only packs the groups' boxes, which is a few hundred rectangles at most.
 */
import {
  type LayoutGroupInput,
  type LayoutGroupResult,
  type LayoutResponse,
  layoutGroups,
} from "./layered-layout";

export type Point = { x: number; y: number };

const storagePrefix = "switchyard.graph.positions.";
/** Beyond this many cached positions the oldest entries are dropped (insertion order). */
const maxCachedPositions = 20_000;

export class PositionStore {
  private readonly positions = new Map<string, Point>();
  private saveTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly key: string) {
    try {
      const raw = window.localStorage.getItem(storagePrefix + key);
      if (!raw) return;
      const parsed: unknown = JSON.parse(raw);
      if (typeof parsed !== "object" || parsed === null) return;
      for (const [id, value] of Object.entries(parsed)) {
        if (Array.isArray(value) && typeof value[0] === "number" && typeof value[1] === "number") {
          this.positions.set(id, { x: value[0], y: value[1] });
        }
      }
    } catch {
      // A corrupt or unavailable cache only costs a new layout.
    }
  }

  get(id: string): Point | undefined {
    return this.positions.get(id);
  }

  set(id: string, point: Point): void {
    this.positions.delete(id);
    this.positions.set(id, { x: Math.round(point.x), y: Math.round(point.y) });
    this.saveSoon();
  }

  private saveSoon(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      const entries = [...this.positions];
      const kept = entries.slice(Math.max(0, entries.length - maxCachedPositions));
      const serialised: Record<string, [number, number]> = {};
      for (const [id, point] of kept) serialised[id] = [point.x, point.y];
      try {
        window.localStorage.setItem(storagePrefix + this.key, JSON.stringify(serialised));
      } catch {
        // Quota exceeded: positions stay for this visit only.
      }
    }, 500);
  }
}

function startLayoutWorker(): Worker {
  // This exact `new Worker(new URL(…, import.meta.url))` form is what next build bundles as a worker.
  return new Worker(new URL("./layout.worker.ts", import.meta.url), { type: "module" });
}

let preloadedWorker: Worker | null = null;

/**
 * Starts the layout worker before the first layout is needed (its script loads while the graph's
 * data is on its way); the next LayoutRunner takes it over.
 */
export function preloadLayoutWorker(): void {
  if (preloadedWorker) return;
  try {
    preloadedWorker = startLayoutWorker();
  } catch {
    preloadedWorker = null;
  }
}

/** Runs layouts in a worker; falls back to the main thread where workers cannot start. */
export class LayoutRunner {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { groups: LayoutGroupInput[]; resolve: (response: LayoutResponse) => void }
  >();
  /** "worker" once the worker has answered; "main" before, or when it could not start (tests check this). */
  mode: "worker" | "main" = "main";

  constructor() {
    try {
      this.worker = preloadedWorker ?? startLayoutWorker();
      preloadedWorker = null;
      this.worker.onmessage = (event: MessageEvent<LayoutResponse>) => {
        this.mode = "worker";
        const request = this.pending.get(event.data.id);
        this.pending.delete(event.data.id);
        request?.resolve(event.data);
      };
      this.worker.onerror = () => {
        // Stop using the worker and answer what was waiting for it on the main thread.
        this.worker?.terminate();
        this.worker = null;
        this.mode = "main";
        for (const [id, request] of this.pending)
          request.resolve(layoutGroups({ id, groups: request.groups }));
        this.pending.clear();
      };
    } catch {
      this.worker = null;
    }
  }

  async run(groups: LayoutGroupInput[]): Promise<LayoutGroupResult[]> {
    if (groups.length === 0) return [];
    const id = this.nextId++;
    const worker = this.worker;
    if (!worker) return layoutGroups({ id, groups }).groups;
    const response = await new Promise<LayoutResponse>((resolve) => {
      this.pending.set(id, { groups, resolve });
      worker.postMessage({ id, groups });
    });
    return response.groups;
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = null;
    this.pending.clear();
  }
}

export type PlacementNode = { id: string; group: string; cluster: string };

/** Room around a group for its box border and label. */
const groupMargin = 140;
const clusterGap = 260;

type Box = { minX: number; minY: number; maxX: number; maxY: number };

function boxOf(points: Iterable<Point>): Box | null {
  let box: Box | null = null;
  for (const { x, y } of points) {
    if (!box) box = { minX: x, minY: y, maxX: x, maxY: y };
    else {
      box.minX = Math.min(box.minX, x);
      box.minY = Math.min(box.minY, y);
      box.maxX = Math.max(box.maxX, x);
      box.maxY = Math.max(box.maxY, y);
    }
  }
  return box;
}

/**
 * Positions for `missing` nodes. Each group is laid out on its own; a group with an anchor (a
 * namespace just expanded in place of its node) is centred there; otherwise groups go below what
 * their cluster already shows, or, with nothing shown yet, are packed in shelves per cluster and
 * the clusters side by side.
 */
export async function placeNodes(options: {
  runner: LayoutRunner;
  missing: PlacementNode[];
  edges: { source: string; target: string }[];
  known: Map<string, Point & { cluster: string }>;
  anchors: Map<string, Point>;
}): Promise<Map<string, Point>> {
  const { runner, missing, edges, known, anchors } = options;
  const result = new Map<string, Point>();
  if (missing.length === 0) return result;

  const groups = new Map<string, { cluster: string; nodeIds: string[]; index: Map<string, number> }>();
  for (const node of missing) {
    const group = groups.get(node.group) ?? {
      cluster: node.cluster,
      nodeIds: [] as string[],
      index: new Map<string, number>(),
    };
    group.index.set(node.id, group.nodeIds.length);
    group.nodeIds.push(node.id);
    groups.set(node.group, group);
  }
  const groupOfNode = new Map(missing.map((node) => [node.id, node.group]));
  const inputs: LayoutGroupInput[] = [...groups].map(([key, group]) => ({
    key,
    nodeIds: group.nodeIds,
    edges: [],
  }));
  const inputByKey = new Map(inputs.map((input) => [input.key, input]));
  for (const edge of edges) {
    const group = groupOfNode.get(edge.source);
    if (!group || group !== groupOfNode.get(edge.target)) continue;
    const indices = groups.get(group)?.index;
    const source = indices?.get(edge.source);
    const target = indices?.get(edge.target);
    if (source !== undefined && target !== undefined) inputByKey.get(group)?.edges.push([source, target]);
  }

  const laidOut = await runner.run(inputs);
  const place = (layout: LayoutGroupResult, left: number, top: number) => {
    const group = groups.get(layout.key);
    if (!group) return;
    for (const [index, id] of group.nodeIds.entries()) {
      result.set(id, {
        x: left + (layout.positions[index * 2] ?? 0),
        y: top + (layout.positions[index * 2 + 1] ?? 0),
      });
    }
  };

  // Bounding boxes of what each cluster already shows, grown as groups are placed.
  const clusterBoxes = new Map<string, Box>();
  for (const point of known.values()) {
    const box = boxOf([point]);
    if (!box) continue;
    const current = clusterBoxes.get(point.cluster);
    clusterBoxes.set(
      point.cluster,
      current
        ? (boxOf([{ x: current.minX, y: current.minY }, { x: current.maxX, y: current.maxY }, point]) as Box)
        : box,
    );
  }

  const unplaced: LayoutGroupResult[] = [];
  for (const layout of laidOut) {
    const anchor = anchors.get(layout.key);
    if (anchor) {
      place(layout, anchor.x - layout.width / 2, anchor.y - layout.height / 2);
      continue;
    }
    const cluster = groups.get(layout.key)?.cluster ?? "";
    const box = clusterBoxes.get(cluster);
    if (box) {
      place(layout, box.minX, box.maxY + groupMargin);
      clusterBoxes.set(cluster, {
        ...box,
        maxY: box.maxY + groupMargin + layout.height,
        maxX: Math.max(box.maxX, box.minX + layout.width),
      });
    } else unplaced.push(layout);
  }
  if (unplaced.length === 0) return result;

  // Nothing of these clusters is shown yet: shelves per cluster, clusters left to right after what is.
  let left = Math.max(0, ...[...clusterBoxes.values()].map((box) => box.maxX + clusterGap));
  if (clusterBoxes.size === 0) left = 0;
  const byCluster = new Map<string, LayoutGroupResult[]>();
  for (const layout of unplaced) {
    const cluster = groups.get(layout.key)?.cluster ?? "";
    byCluster.set(cluster, [...(byCluster.get(cluster) ?? []), layout]);
  }
  // The top level (`unknown`, no cluster) goes first, on the left, where callers come from.
  const clusterOrder = [...byCluster.keys()].sort((a, b) =>
    a === "" ? -1 : b === "" ? 1 : a.localeCompare(b),
  );
  for (const cluster of clusterOrder) {
    const layouts = (byCluster.get(cluster) ?? []).sort(
      (a, b) => b.height - a.height || a.key.localeCompare(b.key),
    );
    const area = layouts.reduce((sum, l) => sum + (l.width + groupMargin) * (l.height + groupMargin), 0);
    const shelfWidth = Math.max(900, Math.sqrt(area) * 1.4);
    let x = 0;
    let y = 0;
    let shelfHeight = 0;
    let widest = 0;
    for (const layout of layouts) {
      if (x > 0 && x + layout.width > shelfWidth) {
        x = 0;
        y += shelfHeight + groupMargin;
        shelfHeight = 0;
      }
      place(layout, left + x, y);
      x += layout.width + groupMargin;
      widest = Math.max(widest, x);
      shelfHeight = Math.max(shelfHeight, layout.height);
    }
    left += widest + clusterGap;
  }
  return result;
}
