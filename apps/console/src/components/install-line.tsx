"use client";

import { CopyButton } from "@switchyard/ui/copy-button";
import { formatIn } from "~/lib/relative-time";
import { useNow } from "~/lib/use-now";
import { type ClusterStatus, ClusterStatusBadge } from "./cluster-status-badge";

type Props = {
  installCommand: string;
  expiresAt: string;
  /** The cluster's live status (from a polling query), or undefined while it loads. */
  status: ClusterStatus | undefined;
};

/**
 * The one line to run, shown once: the token in it is not stored in the clear, so it cannot be shown
 * again — only replaced by a new line. Beside it, whether the agent has called home yet.
 */
export function InstallLine({ installCommand, expiresAt, status }: Props) {
  const now = useNow();
  const isConnected = status === "connected";
  return (
    <div className="install-line" data-test="install-line">
      <p className="install-line__lead">Run this with kubectl against the cluster you are connecting:</p>
      <div className="code-block">
        <pre className="code-block__code">
          <code data-test="install-command">{installCommand}</code>
        </pre>
        <CopyButton value={installCommand} label="Copy" data-test="install-command-copy" />
      </div>
      <p className="install-line__note muted">
        Works once and expires{" "}
        <time
          dateTime={expiresAt}
          data-test="install-expiry"
          title={new Date(expiresAt).toLocaleString("en")}
        >
          {formatIn(expiresAt, now)}
        </time>
        . It is shown only now: copy it before leaving this page. You can always create a new line.
      </p>
      {isConnected ? (
        <p className="install-line__status install-line__status--connected" data-test="install-connected">
          <ClusterStatusBadge status="connected" /> The agent called home. Inventory appears within seconds.
        </p>
      ) : (
        <p className="install-line__status" role="status" data-test="install-waiting">
          <span className="sy-spinner" aria-hidden="true" /> Waiting for the agent…
          {status === "disconnected" ? " (it connected before and is not reachable now)" : null}
        </p>
      )}
    </div>
  );
}
