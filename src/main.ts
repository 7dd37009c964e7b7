import 'reflect-metadata';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config/config';

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
  const app = await createApp({ config });
  await app.listen(config.port);
  process.stdout.write(`Lotse listens on ${config.publicUrl} (port ${config.port}, ${config.database.kind}, ${config.redisUrl ? 'redis' : 'single node'})\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`Lotse could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
