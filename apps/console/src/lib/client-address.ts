/**
 * The browser's address from X-Forwarded-For. The last entry is the one added by the hop nearest to
 * us (a load balancer appends what it saw); earlier entries are whatever the client chose to send,
 * so trusting the first would let anyone dodge the API's per-address sign-in throttle. Next itself
 * fills the header with the socket address only when it is absent.
 */
export function clientAddressOf(forwardedFor: string | null | undefined): string | undefined {
  const entries = (forwardedFor ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  return entries.at(-1);
}
