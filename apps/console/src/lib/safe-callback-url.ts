/** Only same-origin paths may be a post-sign-in destination, so a link cannot bounce users elsewhere. */
export function safeCallbackUrl(value: string | null | undefined, fallback = "/"): string {
  if (!value?.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return fallback;
  return value;
}
