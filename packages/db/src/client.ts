// The one way to get a Prisma client: the Rust-free Prisma 7 client on the pg driver adapter.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client";

export type { Prisma, PrismaClient } from "./generated/prisma/client";
export type { Role as RoleName } from "./generated/prisma/enums";
export { Role } from "./generated/prisma/enums";

export function createPrismaClient(options: { databaseUrl: string; maxConnections?: number }): PrismaClient {
  const adapter = new PrismaPg({ connectionString: options.databaseUrl, max: options.maxConnections ?? 10 });
  return new PrismaClient({ adapter });
}
