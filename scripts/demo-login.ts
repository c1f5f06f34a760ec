/** The demo login printed by `npm run demo` (also the password of the demo teammates). */
export const demoLogin = { email: "demo@switchyard.dev", password: "switchyard-demo" };
