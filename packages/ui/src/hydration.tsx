import { useSyncExternalStore } from "react";

const subscribeToNothing = () => () => {};

/**
 * Whether React has hydrated the page. Controls that do nothing without their handlers are disabled
 * until then (Button, Tabs, the console's Form): a click or typing before it was lost or, in a
 * form, half-kept (docs/decisions.md, "Forms and buttons are disabled until the page has hydrated").
 *
 * False in the server's HTML and while React hydrates it, true from then on (and at once on pages
 * reached by client-side navigation, which render on the client only).
 */
export function useIsHydrated(): boolean {
  return useSyncExternalStore(
    subscribeToNothing,
    () => true,
    () => false,
  );
}
