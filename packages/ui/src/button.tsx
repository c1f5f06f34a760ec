"use client";

import type { ButtonHTMLAttributes } from "react";
import { useIsHydrated } from "./hydration";

export type ButtonVariant = "primary" | "secondary" | "danger" | "ghost";

export type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: ButtonVariant;
  size?: "sm" | "md";
  /** While a request runs the button is disabled, so a double click cannot submit twice. */
  isPending?: boolean;
  "data-test"?: string;
};

export function Button({
  variant = "primary",
  size = "md",
  isPending = false,
  disabled,
  className,
  children,
  type = "button",
  ...rest
}: ButtonProps) {
  const isHydrated = useIsHydrated();
  const classes = ["sy-button", `sy-button--${variant}`, `sy-button--${size}`, className]
    .filter(Boolean)
    .join(" ");
  return (
    <button
      {...rest}
      type={type}
      className={classes}
      disabled={disabled || isPending || !isHydrated}
      aria-busy={isPending || undefined}
    >
      {isPending ? <span className="sy-spinner" aria-hidden="true" /> : null}
      {children}
    </button>
  );
}
