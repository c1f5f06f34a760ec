"use client";

import { useState } from "react";

export type CopyButtonProps = { value: string; label?: string; "data-test"?: string };

/** Copies a value (an invitation link) to the clipboard and says so for a moment. */
export function CopyButton({ value, label = "Copy", "data-test": dataTest }: CopyButtonProps) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setState("copied");
    } catch {
      // Clipboard access needs a secure context or permission; the link stays selectable.
      setState("failed");
    }
  }
  return (
    <button
      type="button"
      className="sy-button sy-button--secondary sy-button--sm"
      onClick={copy}
      data-test={dataTest}
    >
      {state === "copied" ? "Copied" : state === "failed" ? "Copy failed — select the link" : label}
    </button>
  );
}
