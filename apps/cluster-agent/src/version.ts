/** Reported in register and hello; kept in step with package.json by hand (no build step to inject it). */
export const agentVersion = "0.1.0";
