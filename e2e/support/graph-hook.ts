// The graph canvas's test hook (apps/console/src/components/graph/graph-canvas.tsx): turned on by
// setting `__switchyardTestHooks` before the page loads; then `__switchyardGraph` gives the ids of
// drawn elements and the page coordinates to click them at. e2e has no DOM types, hence this shape.
export type GraphTestHook = {
  nodeIds: () => string[];
  edgeIds: () => string[];
  pointOf: (id: string) => { x: number; y: number } | null;
  appliedViews: number;
  layoutMode: () => "worker" | "main";
};

export type HookGlobal = { __switchyardTestHooks?: boolean; __switchyardGraph?: GraphTestHook };
