// `npm run db:migrate -- deploy|status|create NAME`: the migration commands Prisma's CLI would give
// us, on the WebAssembly schema engine (see schema-engine.ts).
import { env } from "./env";
import { applyMigrations, createMigration, pendingMigrations } from "./migrations";

async function main(): Promise<void> {
  const [command, name] = process.argv.slice(2);
  switch (command) {
    case "deploy": {
      const applied = await applyMigrations(env.DATABASE_URL);
      if (applied.length > 0) console.log(`applied ${applied.length} migration(s): ${applied.join(", ")}`);
      return;
    }
    case "status": {
      const pending = await pendingMigrations(env.DATABASE_URL);
      console.log(pending.length === 0 ? "database is up to date" : `pending: ${pending.join(", ")}`);
      process.exitCode = pending.length === 0 ? 0 : 1;
      return;
    }
    case "create": {
      if (!name) throw new Error("usage: migrate create NAME (NAME: letters, digits and _)");
      const created = await createMigration({ name, databaseUrl: env.DATABASE_URL });
      console.log(
        created ? `created prisma/migrations/${created}` : "schema unchanged: no migration created",
      );
      return;
    }
    default:
      throw new Error("usage: migrate deploy | status | create NAME");
  }
}

// Exit explicitly: the engine's connection pool would keep the process alive for its idle timeout.
main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
