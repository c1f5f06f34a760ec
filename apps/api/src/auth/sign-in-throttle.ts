// Throttles password guessing: after too many failures for one email, or from one address, sign-in
// is refused for a while. Counters live in Redis so every API replica sees the same count.
import type { Redis } from "ioredis";
import { AppError } from "../errors";

export const signInLimits = {
  failuresPerEmail: 5,
  failuresPerAddress: 30,
  windowSeconds: 15 * 60,
};

const emailKey = (email: string) => `sign-in-failures:email:${email}`;
const addressKey = (address: string) => `sign-in-failures:ip:${address}`;

export async function assertSignInAllowed(options: { redis: Redis; email: string; clientIp: string }) {
  const [byEmail, byAddress] = await options.redis.mget(
    emailKey(options.email),
    addressKey(options.clientIp),
  );
  if (
    Number(byEmail ?? 0) >= signInLimits.failuresPerEmail ||
    Number(byAddress ?? 0) >= signInLimits.failuresPerAddress
  ) {
    const ttl = await options.redis.ttl(emailKey(options.email));
    const minutes = Math.max(1, Math.ceil((ttl > 0 ? ttl : signInLimits.windowSeconds) / 60));
    throw new AppError("RATE_LIMITED", `Too many failed sign-ins. Try again in ${minutes} minute(s).`);
  }
}

export async function recordSignInFailure(options: { redis: Redis; email: string; clientIp: string }) {
  await options.redis
    .multi()
    .incr(emailKey(options.email))
    .expire(emailKey(options.email), signInLimits.windowSeconds)
    .incr(addressKey(options.clientIp))
    .expire(addressKey(options.clientIp), signInLimits.windowSeconds)
    .exec();
}

export async function clearSignInFailures(options: { redis: Redis; email: string }) {
  await options.redis.del(emailKey(options.email));
}
