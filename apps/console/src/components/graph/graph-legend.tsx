import type { Health } from "@switchyard/telemetry-model/graph-types";
import styles from "./graph.module.css";
import { healthColors, healthLabels } from "./graph-format";

const healths: Health[] = ["healthy", "degraded", "failing", "idle"];

export function GraphLegend() {
  return (
    <div className={styles.legend} data-test="graph-legend">
      <ul>
        {healths.map((health) => (
          <li key={health}>
            <span className={styles.swatch} style={{ background: healthColors[health] }} />
            {healthLabels[health]}
          </li>
        ))}
        <li>
          <span className={styles.line} />
          mTLS (all requests)
        </li>
        <li>
          <span className={`${styles.line} ${styles.lineDashed}`} />⚠ plain text
        </li>
        <li>
          <span className={`${styles.line} ${styles.lineDotted}`} />⚠ partly plain text
        </li>
        <li>▲ service · ● workload · ◆ unknown caller · ▭ namespace (double-click to expand)</li>
        <li>Badges: [no sidecar · split · fault · breaker]; dashed red ring: no sidecar</li>
        <li>Outlined boxes: clusters and expanded namespaces; arcs cross clusters</li>
      </ul>
    </div>
  );
}
