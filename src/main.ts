import 'reflect-metadata';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config/config';
import { installGracefulShutdown } from './graceful-shutdown';
import { sqliteLockHolder } from './infra/database/sqlite-lock';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  // Checked before Nest starts, so the operator reads one clear line instead of a stack trace
  // (DatabaseModule takes the lock itself and still refuses a node that slips through here).
  if (config.database.kind === 'sqlite') {
    const { file } = config.database;
    const holder = sqliteLockHolder(file);
    if (holder !== null) {
      process.stderr.write(
        `Lotse could not start: another Lotse process (pid ${holder}) uses the SQLite database ${file}. ` +
          'SQLite runs one node only; set DATABASE_URL (MariaDB/MySQL) and REDIS_URL to run several nodes.\n',
      );
      process.exit(1);
    }
  }
  const app = await createApp({ config });
  installGracefulShutdown(app);
  await app.listen(config.port);
  process.stdout.write(`Lotse listens on ${config.publicUrl} (port ${config.port}, ${config.database.kind}, ${config.redisUrl ? 'redis' : 'single node'})\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`Lotse could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
