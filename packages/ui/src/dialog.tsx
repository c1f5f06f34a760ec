"use client";

import { type ReactNode, useEffect, useRef } from "react";

export type DialogProps = {
  /** Open while true; the browser's own modal <dialog> keeps focus inside and Escape closes it. */
  isOpen: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  "data-test"?: string;
};

/** A modal for confirmations (e.g. removing a cluster), built on <dialog> for focus and Escape handling. */
export function Dialog({ isOpen, title, onClose, children, "data-test": dataTest }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (isOpen && !dialog.open) dialog.showModal();
    if (!isOpen && dialog.open) dialog.close();
  }, [isOpen]);
  return (
    <dialog
      ref={ref}
      className="sy-dialog"
      aria-labelledby={dataTest ? `${dataTest}-title` : undefined}
      // Escape (or the form's method=dialog) closes the element itself; keep the parent's state in step.
      onClose={onClose}
      data-test={dataTest}
    >
      <h2 className="sy-dialog__title" id={dataTest ? `${dataTest}-title` : undefined}>
        {title}
      </h2>
      {isOpen ? children : null}
    </dialog>
  );
}
