import type { ReactNode } from "react";

export type BannerProps = {
  tone?: "error" | "info" | "success" | "warning";
  title?: string;
  children?: ReactNode;
  /** Offered on errors that a second try may fix (network, a server hiccup). */
  onRetry?: () => void;
  "data-test"?: string;
};

export function Banner({ tone = "info", title, children, onRetry, "data-test": dataTest }: BannerProps) {
  return (
    <div
      className={`sy-banner sy-banner--${tone}`}
      role={tone === "error" ? "alert" : "status"}
      data-test={dataTest}
    >
      <div className="sy-banner__body">
        {title ? <strong className="sy-banner__title">{title}</strong> : null}
        {children ? <div className="sy-banner__text">{children}</div> : null}
      </div>
      {onRetry ? (
        <button
          type="button"
          className="sy-button sy-button--secondary sy-button--sm"
          onClick={onRetry}
          data-test="retry"
        >
          Retry
        </button>
      ) : null}
    </div>
  );
}
