#!/usr/bin/env node
// Loads the TypeScript CLI in this process through tsx's loader, so the package needs no build
// step and signals sent to this PID reach the servers (no child process to orphan).
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli.ts");
await main(process.argv.slice(2));
