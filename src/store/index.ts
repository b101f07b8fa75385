export { MEMORY_PATH, SYNCHRONOUS_MODES, type SynchronousMode } from "./database.ts";
export { MIGRATIONS, type Migration } from "./migrations.ts";
export { SqliteEventStore } from "./sqlite-events.ts";
export { openSqliteStore, SqliteStore, type SqliteStoreOptions } from "./sqlite-store.ts";
