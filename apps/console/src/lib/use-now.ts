import { useEffect, useState } from "react";

/** The current time, updated every `intervalMs`, so "12 s ago" keeps counting between refetches. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
