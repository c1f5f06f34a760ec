// The benchmarks' knobs, read once and validated, and the environment handed on to the child
// processes benches start (the API, its workers, the console, its build). Nothing else in bench/
// reads process.env.
import { z } from "zod";

const envSchema = z.object({
  /** The setup's database (scripts/env.sh); each run creates a database of its own beside it. */
  DATABASE_URL: z.url().default("postgresql://postgres@127.0.0.1:5432/switchyard"),
  /** Extra node flags for the API a bench starts, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof". */
  BENCH_API_NODE_ARGS: z.string().default(""),
  /** propagation: clusters connected. */
  BENCH_CLUSTERS: z.coerce.number().int().min(1).default(100),
  /** propagation: measured policy changes. */
  BENCH_RUNS: z.coerce.number().int().min(1).default(3),
  /** propagation: how often it polls the clusters' status. */
  BENCH_POLL_MS: z.coerce.number().int().min(10).default(500),
  /** graph-render: runs, each in a fresh browser context. */
  GRAPH_BENCH_RUNS: z.coerce.number().int().min(1).default(3),
  /** graph-render: the Chromium it drives. */
  CHROMIUM_PATH: z.string().min(1).default("/usr/bin/chromium"),
  /** graph-render: a file to keep the graph in, for experiments with the drawing alone. */
  GRAPH_BENCH_DUMP: z.string().min(1).optional(),
  /** graph-render: a directory for the CPU profile of the first run's expansion (expand.cpuprofile). */
  GRAPH_BENCH_PROFILE: z.string().min(1).optional(),
  /** graph-render: a directory for screenshots of the first run. */
  GRAPH_BENCH_SCREENSHOTS: z.string().min(1).optional(),
});

export const benchEnv = envSchema.parse(process.env);

/** The whole environment, as child processes inherit it (PATH, the setup's variables, …). */
export const inheritedEnv: Readonly<NodeJS.ProcessEnv> = process.env;
