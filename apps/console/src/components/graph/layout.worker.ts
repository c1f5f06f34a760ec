/// <reference lib="webworker" />
// Lays out graph groups off the main thread, so a big expansion never freezes the page.
import { type LayoutRequest, layoutGroups } from "./layered-layout";

const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = (event: MessageEvent<LayoutRequest>) => {
  scope.postMessage(layoutGroups(event.data));
};
