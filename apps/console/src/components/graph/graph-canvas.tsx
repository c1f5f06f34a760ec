"use client";

/**
 * The cytoscape canvas. Created once; every new view (a refresh, an expansion, a filter) is applied
 * as a diff in one `cy.batch`: elements that left are removed, new ones added with positions (cached
 * or laid out in the worker), the rest get their data updated in place, so nothing moves on refresh.
 *
 * Timings for the benchmark (bench/graph-render) are performance marks/measures:
 * - `graph:first-picture` (mark): the first cytoscape `render` event after the first non-empty set
 *   of elements was added, i.e. the first frame that shows the graph; its startTime counts from
 *   navigation start.
 * - `graph:expand` / `graph:collapse` (measure): from the double-click or button press to the first
 *   frame drawn after the namespace's elements were applied.
 * - `graph:click` (measure): from the tap's input event to the first frame showing the selection.
 *
 * Test hook: when `window.__switchyardTestHooks` is true before the page loads (Playwright's
 * addInitScript), `window.__switchyardGraph` gives ids and page coordinates of elements, so tests
 * can click a node or an edge on the canvas. Nothing is exposed otherwise.
 */
import type { GraphView } from "@switchyard/telemetry-model/graph-aggregate";
import type cytoscape from "cytoscape";
import { forwardRef, useEffect, useImperativeHandle, useRef } from "react";
import styles from "./graph.module.css";
import { type EdgeData, layoutGroupOf, type NodeData, viewToElements } from "./graph-elements";
import type { LabelMode } from "./graph-format";
import { graphStylesheet, labelFieldOf } from "./graph-style";
import { LayoutRunner, type PlacementNode, type Point, PositionStore, placeNodes } from "./layout-client";

export type GraphSelection = { kind: "node" | "edge"; id: string };

export type GraphCanvasHandle = {
  /** Highlights these elements and centres the view on them. */
  focus: (ids: string[]) => void;
  fit: () => void;
  /** Starts a measure closed at the first frame after the next applied view (a button's expand). */
  measureNextChange: (name: string) => void;
};

export type NamespaceToggle = { namespaceKey: string; action: "expand" | "collapse" };

type Props = {
  view: GraphView;
  /** localStorage key for positions (per organization). */
  positionsKey: string;
  labelMode: LabelMode;
  selected: GraphSelection | null;
  onSelect: (selection: GraphSelection | null) => void;
  onToggleNamespace: (toggle: NamespaceToggle) => void;
  /** A collapsed namespace was pressed (the first press of a possible double-click that expands it). */
  onPressNamespace: (namespaceKey: string) => void;
};

type TestHook = {
  nodeIds: () => string[];
  edgeIds: () => string[];
  /** Page coordinates of a node's centre or an edge's midpoint; null when absent. */
  pointOf: (id: string) => { x: number; y: number } | null;
  /** How many views have been applied (tests wait for a refresh to land). */
  appliedViews: number;
  /** Where layouts ran: "worker" unless the layout worker could not start. */
  layoutMode: () => "worker" | "main";
};

declare global {
  interface Window {
    __switchyardTestHooks?: boolean;
    __switchyardGraph?: TestHook;
  }
}

function isBox(node: cytoscape.NodeSingular): boolean {
  const kind = node.data("kind") as NodeData["kind"];
  return kind === "cluster" || kind === "nsbox";
}

/** Padding of a box around its members' centres (room for node labels and the inner boxes). */
const boxPadding = { cluster: 70, nsbox: 34 };

/** Sizes and places each box around its members, as a compound parent would be, at a fraction of the cost. */
function fitBoxes(cy: cytoscape.Core): void {
  const extents = new Map<string, [number, number, number, number]>();
  cy.nodes().forEach((node) => {
    const data = node.data() as NodeData;
    if (data.kind === "cluster" || data.kind === "nsbox") return;
    const { x, y } = node.position();
    for (const box of [data.clusterBox, data.namespaceBox]) {
      if (!box) continue;
      const extent = extents.get(box);
      if (!extent) extents.set(box, [x, y, x, y]);
      else {
        extent[0] = Math.min(extent[0], x);
        extent[1] = Math.min(extent[1], y);
        extent[2] = Math.max(extent[2], x);
        extent[3] = Math.max(extent[3], y);
      }
    }
  });
  cy.batch(() => {
    cy.nodes().forEach((box) => {
      if (!isBox(box)) return;
      const extent = extents.get(box.id());
      if (!extent) return;
      const padding = box.data("kind") === "cluster" ? boxPadding.cluster : boxPadding.nsbox;
      const [minX, minY, maxX, maxY] = extent;
      const w = Math.round(maxX - minX + 2 * padding);
      // Node labels hang below the nodes: more room at the bottom.
      const h = Math.round(maxY - minY + 2 * padding + 24);
      box.position({ x: (minX + maxX) / 2, y: (minY + maxY) / 2 + 12 });
      if (box.data("w") !== w || box.data("h") !== h) box.data({ w, h });
    });
  });
}

/** How long a tap on a namespace waits for a second one (cytoscape's double-tap window: 250 ms). */
const doubleTapMs = 300;

/** Room between an expanded namespace's box and what was moved aside for it. */
const anchorMargin = 160;

function sameData(current: Record<string, unknown>, next: Record<string, unknown>): boolean {
  for (const key of Object.keys(next)) if (current[key] !== next[key]) return false;
  return true;
}

export const GraphCanvas = forwardRef<GraphCanvasHandle, Props>(function GraphCanvas(
  { view, positionsKey, labelMode, selected, onSelect, onToggleNamespace, onPressNamespace },
  ref,
) {
  const containerRef = useRef<HTMLDivElement>(null);
  const cyRef = useRef<cytoscape.Core | null>(null);
  const runnerRef = useRef<LayoutRunner | null>(null);
  const storeRef = useRef<PositionStore | null>(null);
  const callbacks = useRef({ onSelect, onToggleNamespace, onPressNamespace });
  callbacks.current = { onSelect, onToggleNamespace, onPressNamespace };
  /** A measure to close at the next frame drawn after the pending change is applied. */
  const pendingMeasure = useRef<{ name: string; start: number; isApplied: boolean } | null>(null);
  const applyChain = useRef<Promise<void>>(Promise.resolve());
  const applySeq = useRef(0);
  const hasFitted = useRef(false);
  const appliedViews = useRef(0);

  // Create cytoscape once. It is loaded in a chunk of its own (450 kB) while the graph's data is on
  // its way, rather than before the page can hydrate and ask for the data.
  // biome-ignore lint/correctness/useExhaustiveDependencies: setUp reads refs only; one instance per organization.
  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    let cleanUp: (() => void) | null = null;
    let isCancelled = false;
    const ready = import("cytoscape").then(({ default: createCytoscape }) => {
      if (!isCancelled) cleanUp = setUp(createCytoscape, container);
    });
    // Views applied before cytoscape is there wait for it.
    applyChain.current = applyChain.current.then(() => ready);
    return () => {
      isCancelled = true;
      cleanUp?.();
    };
  }, [positionsKey]);

  function setUp(createCytoscape: typeof cytoscape, container: HTMLDivElement): () => void {
    const cy = createCytoscape({
      container,
      style: graphStylesheet("rate"),
      layout: { name: "preset" },
      minZoom: 0.05,
      maxZoom: 3,
      wheelSensitivity: 0.3,
      autounselectify: true,
      boxSelectionEnabled: false,
    });
    cyRef.current = cy;
    runnerRef.current = new LayoutRunner();
    storeRef.current = new PositionStore(positionsKey);
    let isFirstPicturePending = true;

    cy.on("render", () => {
      if (isFirstPicturePending && cy.nodes().length > 0) {
        isFirstPicturePending = false;
        performance.mark("graph:first-picture");
      }
      const measure = pendingMeasure.current;
      if (measure?.isApplied) {
        pendingMeasure.current = null;
        performance.measure(measure.name, { start: measure.start, end: performance.now() });
      }
    });
    // A namespace node's single tap waits out a possible double-click (which expands it): selecting
    // first would cost a full redraw and a panel the double-click closes again.
    let namespaceTapTimer: ReturnType<typeof setTimeout> | null = null;
    const select = (element: cytoscape.SingularElementReturnValue, inputTime: number | undefined) => {
      cy.elements(".selected-item").removeClass("selected-item");
      element.addClass("selected-item");
      pendingMeasure.current = {
        name: "graph:click",
        start: inputTime ?? performance.now(),
        isApplied: true,
      };
      callbacks.current.onSelect({ kind: element.isNode() ? "node" : "edge", id: element.id() });
    };
    cy.on("tap", (event) => {
      const target = event.target as cytoscape.Core | cytoscape.SingularElementReturnValue;
      if (target === cy) {
        callbacks.current.onSelect(null);
        return;
      }
      const element = target as cytoscape.SingularElementReturnValue;
      const kind = element.data("kind") as NodeData["kind"] | undefined;
      if (element.isNode() && (kind === "cluster" || kind === "nsbox")) return;
      const inputTime = (event.originalEvent as Event | undefined)?.timeStamp;
      if (kind === "namespace") {
        if (namespaceTapTimer) clearTimeout(namespaceTapTimer);
        namespaceTapTimer = setTimeout(() => {
          namespaceTapTimer = null;
          select(element, undefined);
        }, doubleTapMs);
        return;
      }
      select(element, inputTime);
    });
    cy.on("tapstart", 'node[kind="namespace"]', (event) => {
      callbacks.current.onPressNamespace(
        (event.target as cytoscape.NodeSingular).data("namespaceKey") as string,
      );
    });
    cy.on("dbltap", "node", (event) => {
      if (namespaceTapTimer) {
        clearTimeout(namespaceTapTimer);
        namespaceTapTimer = null;
      }
      const node = event.target as cytoscape.NodeSingular;
      const data = node.data() as NodeData;
      const start = (event.originalEvent as Event | undefined)?.timeStamp ?? performance.now();
      if (data.kind === "namespace") {
        pendingMeasure.current = { name: "graph:expand", start, isApplied: false };
        callbacks.current.onToggleNamespace({ namespaceKey: data.namespaceKey, action: "expand" });
      } else if (data.kind === "nsbox" || data.namespaceBox) {
        pendingMeasure.current = { name: "graph:collapse", start, isApplied: false };
        callbacks.current.onToggleNamespace({ namespaceKey: data.namespaceKey, action: "collapse" });
      }
    });
    let isBoxFitPending = false;
    cy.on("drag", "node", () => {
      if (isBoxFitPending) return;
      isBoxFitPending = true;
      requestAnimationFrame(() => {
        isBoxFitPending = false;
        fitBoxes(cy);
      });
    });
    cy.on("dragfree", "node", (event) => {
      const node = event.target as cytoscape.NodeSingular;
      storeRef.current?.set(node.id(), node.position());
      fitBoxes(cy);
    });

    if (window.__switchyardTestHooks) {
      window.__switchyardGraph = {
        nodeIds: () => cy.nodes().map((node) => node.id()),
        edgeIds: () => cy.edges().map((edge) => edge.id()),
        pointOf: (id) => {
          const element = cy.getElementById(id);
          if (element.empty()) return null;
          const point = element.isEdge()
            ? element.renderedMidpoint()
            : (element as cytoscape.NodeSingular).renderedPosition();
          const box = container.getBoundingClientRect();
          return { x: box.left + point.x, y: box.top + point.y };
        },
        layoutMode: () => runnerRef.current?.mode ?? "main",
        get appliedViews() {
          return appliedViews.current;
        },
      };
    }
    // The side panel opening narrows the canvas: cytoscape must learn its new size.
    const resizeObserver = new ResizeObserver(() => cy.resize());
    resizeObserver.observe(container);
    return () => {
      resizeObserver.disconnect();
      runnerRef.current?.dispose();
      cy.destroy();
      cyRef.current = null;
      if (window.__switchyardGraph) window.__switchyardGraph = undefined;
    };
  }

  // Apply each new view as a diff, one at a time, in order; a view superseded while its layout ran
  // is skipped (its positions are cached all the same).
  useEffect(() => {
    const seq = ++applySeq.current;
    applyChain.current = applyChain.current.then(async () => {
      const cy = cyRef.current;
      const runner = runnerRef.current;
      const store = storeRef.current;
      if (!cy || !runner || !store || seq !== applySeq.current) return;
      // Stage marks (graph:apply-start, graph:placed, graph:applied) show where a draw's time goes.
      performance.mark("graph:apply-start");
      const { boxes, leaves, edges } = viewToElements(view);

      const known = new Map<string, Point & { cluster: string }>();
      const missing: PlacementNode[] = [];
      const planned = new Map<string, Point>();
      for (const leaf of leaves) {
        const shown = cy.getElementById(leaf.id);
        if (shown.nonempty()) {
          known.set(leaf.id, { ...shown.position(), cluster: leaf.cluster });
          continue;
        }
        const cached = store.get(leaf.id);
        if (cached) {
          planned.set(leaf.id, cached);
          known.set(leaf.id, { ...cached, cluster: leaf.cluster });
        } else missing.push({ id: leaf.id, group: layoutGroupOf(leaf), cluster: leaf.cluster });
      }
      // A namespace expanded in place of its node is laid out around where that node was.
      const anchors = new Map<string, Point>();
      for (const key of view.expanded) {
        const collapsedNode = cy.getElementById(`n|${key}`);
        if (collapsedNode.nonempty()) anchors.set(`ns:${key}`, collapsedNode.position());
      }
      const placed = await placeNodes({ runner, missing, edges, known, anchors });
      performance.mark("graph:placed");
      for (const [id, point] of placed) {
        store.set(id, point);
        planned.set(id, point);
      }
      if (seq !== applySeq.current || cyRef.current !== cy) return;

      const wanted = new Set<string>();
      for (const element of [...boxes, ...leaves, ...edges]) wanted.add(element.id);
      cy.batch(() => {
        cy.edges()
          .filter((edge) => !wanted.has(edge.id()))
          .remove();
        cy.nodes()
          .filter((node) => !wanted.has(node.id()))
          .remove();
        // An expanded namespace needs room where its node was: everything else moves aside, left of
        // the anchor to the left and the rest to the right, by half the new box's width.
        for (const [groupKey, anchor] of anchors) {
          const members = missing.filter((node) => node.group === groupKey);
          if (members.length === 0) continue;
          const xs = members.map((node) => planned.get(node.id)?.x ?? anchor.x);
          const halfWidth = (Math.max(...xs) - Math.min(...xs)) / 2 + anchorMargin;
          const memberIds = new Set(members.map((node) => node.id));
          cy.nodes()
            .filter((node) => !isBox(node) && !memberIds.has(node.id()))
            .forEach((node) => {
              const { x, y } = node.position();
              const moved = { x: x < anchor.x ? x - halfWidth : x + halfWidth, y };
              node.position(moved);
              store.set(node.id(), moved);
            });
        }
        const additions: cytoscape.ElementDefinition[] = [];
        const update = (data: NodeData | EdgeData) => {
          const existing = cy.getElementById(data.id);
          if (existing.empty()) return false;
          if (!sameData(existing.data() as Record<string, unknown>, data)) existing.data(data);
          return true;
        };
        for (const data of boxes) {
          if (!update(data)) additions.push({ group: "nodes", data, grabbable: false, selectable: false });
        }
        for (const data of leaves) {
          if (update(data)) continue;
          additions.push({ group: "nodes", data, position: { ...(planned.get(data.id) ?? { x: 0, y: 0 }) } });
        }
        for (const data of edges) if (!update(data)) additions.push({ group: "edges", data });
        if (additions.length > 0) cy.add(additions);
        fitBoxes(cy);
      });
      appliedViews.current++;
      performance.mark("graph:applied");
      if (!hasFitted.current && cy.nodes().length > 0) {
        hasFitted.current = true;
        cy.fit(undefined, 40);
      }
      if (pendingMeasure.current) pendingMeasure.current.isApplied = true;
    });
  }, [view]);

  useEffect(() => {
    cyRef.current?.style().selector("edge").style("label", `data(${labelFieldOf[labelMode]})`).update();
  }, [labelMode]);

  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    cy.elements(".selected-item").removeClass("selected-item");
    if (selected) cy.getElementById(selected.id).addClass("selected-item");
  }, [selected]);

  useImperativeHandle(ref, () => ({
    focus: (ids) => {
      const cy = cyRef.current;
      if (!cy) return;
      cy.batch(() => {
        cy.elements(".found").removeClass("found");
        for (const id of ids) cy.getElementById(id).addClass("found");
      });
      const found = cy.elements(".found");
      if (found.nonempty())
        cy.animate({ center: { eles: found }, zoom: Math.max(cy.zoom(), 0.8) }, { duration: 300 });
    },
    fit: () => cyRef.current?.fit(undefined, 40),
    measureNextChange: (name) => {
      pendingMeasure.current = { name, start: performance.now(), isApplied: false };
    },
  }));

  return <div ref={containerRef} className={styles.canvas} data-test="graph-canvas" />;
});
