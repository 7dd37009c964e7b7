import 'reflect-metadata';
import { INestApplicationContext, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { CoreModule } from './common/core.module';
import { DomainError } from './common/errors';
import { normalizeLogin } from './common/names';
import { AppConfig, ConfigError, loadConfig } from './config/config';
import { dataSourceOptions } from './infra/database/data-source-options';
import { InfraModule } from './infra/infra.module';
import { acquireSqliteLock, sqliteLockHolder } from './infra/database/sqlite-lock';
import { backupSqlite, keyNote, MARIADB_PROCEDURE, restoreSqlite, sqliteHasData } from './infra/database/backup';
import { shredFile } from './infra/files/shred';
import { AccountsModule } from './modules/accounts/accounts.module';
import { AccountsService } from './modules/accounts/accounts.service';
import { CentersModule } from './modules/centers/centers.module';
import { LIVE_HANDOVER_MODES } from './modules/centers/center.entity';
import { CentersService } from './modules/centers/centers.service';
import { deleteCenterRows, notifyNodes } from './modules/centers/center-deletion';
import { RedisService } from './infra/redis/redis.service';
import { QUICK_EXIT_URL_RE } from './modules/centers/dto/center-settings.dto';
import { DataKey } from './modules/crypto/data-key.entity';
import { DataKeyRepository } from './modules/crypto/data-key.repository';
import { Transactions } from './infra/database/transactions';
import { TransactionsModule } from './infra/database/transactions.module';
import { matchingMasterKey, rotateMasterKey, rotateMasterKeyOnline } from './modules/crypto/key-rotation';
import { masterKeyFile, masterKeyId, nextMasterKeyFile, parseMasterKey, promoteNextKeyFile, writeKeyFile } from './infra/crypto/master-key';

/** The operator CLI: `npm run cli -- <command> --help`. */
export function buildCli(config: AppConfig, out: (line: string) => void): Command {
  const program = new Command('lotse').description('Lotse operator commands').exitOverride().configureOutput({ writeOut: out, writeErr: out });

  const withContext = async <T>(fn: (ctx: INestApplicationContext) => Promise<T>): Promise<T> => {
    // TypeORM without DatabaseModule's one-node SQLite lock: a short CLI run next to the running
    // embedded server is fine (SQLite in WAL mode takes concurrent writers one at a time).
    const database = TypeOrmModule.forRoot({ ...dataSourceOptions(config), migrationsRun: true });
    @Module({
      imports: [CoreModule.forRoot({ config }), InfraModule, EventEmitterModule.forRoot(), database, TransactionsModule, CentersModule, AccountsModule],
    })
    class CliModule {}
    const ctx = await NestFactory.createApplicationContext(CliModule, { logger: ['error'] });
    try {
      return await fn(ctx);
    } finally {
      await ctx.close();
    }
  };
  const withServices = <T>(fn: (centers: CentersService, accounts: AccountsService, tx: Transactions) => Promise<T>): Promise<T> =>
    withContext((ctx) => fn(ctx.get(CentersService), ctx.get(AccountsService), ctx.get(Transactions)));

  program
    .command('migrate')
    .description('Run pending database migrations (they also run at every start)')
    .option('--revert', 'Undo the last migration instead')
    .action(async (opts: { revert?: boolean }) => {
      const ds = await new DataSource(dataSourceOptions(config)).initialize();
      try {
        if (opts.revert) {
          await ds.undoLastMigration();
          out('Reverted the last migration.');
        } else {
          const ran = await ds.runMigrations();
          out(ran.length ? `Ran ${ran.map((m) => m.name).join(', ')}.` : 'The database is up to date.');
        }
      } finally {
        await ds.destroy();
      }
    });

  program
    .command('center:create')
    .description('Create a counseling center with its first admin')
    .requiredOption('--slug <slug>', 'address of the center (a-z, 0-9, hyphen)')
    .requiredOption('--name <name>', 'display name of the center')
    .requiredOption('--admin-email <email>', 'email of the first admin')
    .option('--admin-password <pw>', 'password of the admin (generated and printed once when left out)')
    .action(async (o: { slug: string; name: string; adminEmail: string; adminPassword?: string }) => {
      await withServices(async (centers, accounts, tx) => {
        // Check the admin first: a bad email fails before anything is written.
        accounts.checkStaffInput({ email: o.adminEmail, displayName: 'Admin', password: o.adminPassword });
        // the center and its first admin: both or neither (never a center nobody can administer)
        const { center, password } = await tx.run(async () => {
          const center = await centers.create(o.slug, o.name);
          const { password } = await accounts.createStaff(center.id, { email: o.adminEmail, displayName: 'Admin', role: 'admin', password: o.adminPassword });
          return { center, password };
        });
        out(`Created center "${center.slug}" (${center.id}).`);
        out(`Admin login: ${normalizeLogin(o.adminEmail)}${o.adminPassword ? '' : `  password: ${password}  (shown only now)`}`);
      });
    });

  program
    .command('staff:create')
    .description('Create a counselor or admin account in a center')
    .requiredOption('--center <slug>', 'the center')
    .requiredOption('--email <email>', 'login email')
    .requiredOption('--name <display name>', 'name shown to clients and visitors')
    .requiredOption('--role <role>', 'counselor or admin', (v: string) => {
      if (v !== 'counselor' && v !== 'admin') throw new InvalidArgumentError('must be counselor or admin');
      return v;
    })
    .option('--password <pw>', 'password (generated and printed once when left out)')
    .action(async (o: { center: string; email: string; name: string; role: 'counselor' | 'admin'; password?: string }) => {
      await withServices(async (centers, accounts) => {
        const center = await centers.bySlug(o.center);
        const { account, password } = await accounts.createStaff(center.id, { email: o.email, displayName: o.name, role: o.role, password: o.password });
        out(`Created ${account.role} ${account.login} (${account.id}) in "${center.slug}".`);
        if (!o.password) out(`Password: ${password}  (shown only now)`);
      });
    });

  const int = (name: string, min: number, max: number) => (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}`);
    return n;
  };
  const bool = (v: string) => {
    if (v !== 'on' && v !== 'off') throw new InvalidArgumentError('must be on or off');
    return v === 'on';
  };
  program
    .command('center:settings')
    .description('Show or change the settings of a center')
    .requiredOption('--center <slug>', 'the center')
    .option('--live-waiting-limit <n>', 'visitors who may wait in the live queue (0-500)', int('--live-waiting-limit', 0, 500))
    .option('--live-max-wait-minutes <n>', 'minutes a visitor may wait before the queue closes for them (1-240)', int('--live-max-wait-minutes', 1, 240))
    .option('--shift-grace-seconds <n>', 'seconds a shift survives without a counselor connection (5-3600)', int('--shift-grace-seconds', 5, 3600))
    .option('--keep-live-transcripts <on|off>', 'keep live-chat messages after the chat closes', bool)
    .option('--transcript-retention-days <n>', 'days kept transcripts are retained (1-3650)', int('--transcript-retention-days', 1, 3650))
    .option('--keep-topic-transcripts <on|off>', 'keep topic-chat messages after the chat ends', bool)
    .option('--live-handover <handover|end>', 'when a counselor stays gone beyond the shift grace: hand their chats over, or end them', (v: string) => {
      if (!(LIVE_HANDOVER_MODES as string[]).includes(v)) throw new InvalidArgumentError('must be handover or end');
      return v;
    })
    .option('--live-block-hours <n>', 'hours "end and block" keeps a visitor and their address (hash) out (1-720)', int('--live-block-hours', 1, 720))
    .option('--live-waiting-per-address <n>', 'visitors who may wait at once from one address (1-20)', int('--live-waiting-per-address', 1, 20))
    .option('--quick-exit-url <url>', "where the widget's quick exit leads: an https URL or a path on this site", (v: string) => {
      if (v.length > 500 || !QUICK_EXIT_URL_RE.test(v)) throw new InvalidArgumentError('must be an https URL or a path on this site such as /neutral');
      return v;
    })
    .action(async (o: Record<string, unknown> & { center: string }) => {
      await withServices(async (centers) => {
        const center = await centers.bySlug(o.center);
        const { center: _slug, ...patch } = o;
        const updated = await centers.updateSettings(center.id, patch);
        out(
          JSON.stringify(
            {
              center: updated.slug,
              liveWaitingLimit: updated.liveWaitingLimit,
              liveMaxWaitMinutes: updated.liveMaxWaitMinutes,
              shiftGraceSeconds: updated.shiftGraceSeconds,
              keepLiveTranscripts: updated.keepLiveTranscripts,
              transcriptRetentionDays: updated.transcriptRetentionDays,
              keepTopicTranscripts: updated.keepTopicTranscripts,
              liveHandover: updated.liveHandover,
              liveBlockHours: updated.liveBlockHours,
              liveWaitingPerAddress: updated.liveWaitingPerAddress,
              quickExitUrl: updated.quickExitUrl,
            },
            null,
            2,
          ),
        );
      });
    });

  program
    .command('center:delete')
    .description(
      'Delete a center and everything in it (accounts, sessions, conversations, documents, notes, appointments, statistics, keys), ' +
        'in one transaction. With REDIS_URL while the nodes run: every node ends the center’s sessions at once. On SQLite: stop the server first. ' +
        'On MariaDB without REDIS_URL: stop the node and pass --offline. Backups taken before stay readable until the next key:rotate (docs/security.md).',
    )
    .requiredOption('--slug <slug>', 'the center')
    .requiredOption('--confirm <slug>', 'the slug again: nothing is deleted unless both match')
    .option('--offline', 'MariaDB without REDIS_URL: the node is stopped (the CLI cannot reach it)')
    .action(async (o: { slug: string; confirm: string; offline?: boolean }) => {
      if (o.confirm !== o.slug) throw new Error(`--confirm must repeat the slug "${o.slug}" exactly; nothing was deleted.`);
      if (config.database.kind === 'sqlite') {
        const pid = sqliteLockHolder(config.database.file, true);
        if (pid !== null)
          throw new Error(`The Lotse server (pid ${pid}) is running on ${config.database.file}: stop it before center:delete; nothing was deleted.`);
      } else if (!config.redisUrl && !o.offline) {
        throw new Error(
          'Without REDIS_URL the CLI cannot tell a running node to end the center’s sessions: stop the node and run center:delete --offline; nothing was deleted.',
        );
      }
      await withContext(async (ctx) => {
        const center = await ctx.get(CentersService).bySlug(o.slug);
        const accounts = ctx.get(AccountsService);
        const addresses = await accounts.mailAddressesOfCenter(center.id);
        const deletion = await deleteCenterRows(ctx.get(DataSource), center.id);
        const redis = ctx.get(RedisService).client;
        if (redis) await notifyNodes(redis, center.id, deletion);
        const mails = await accounts.afterCenterDeleted(addresses);
        const total = Object.values(deletion.rows).reduce((a, b) => a + b, 0);
        out(`Deleted center "${center.slug}" (${center.id}): ${total} rows in ${Object.values(deletion.rows).filter((n) => n > 0).length} tables.`);
        for (const [table, n] of Object.entries(deletion.rows).filter(([, n]) => n > 0)) out(`  ${table}: ${n}`);
        if (mails > 0) out(`Removed ${mails} mails to its people from the local outbox.`);
        if (redis) out(`The running nodes ended ${deletion.tokenHashes.length} sessions of the center and dropped its keys and its live queue.`);
        out('Backups taken before still hold the center: they become unreadable with the next key:rotate (docs/security.md).');
      });
    });

  program
    .command('key:rotate')
    .description(
      'Replace the master key: every data key (center, client and room keys) is re-wrapped. ' +
        'Without downtime: set MASTER_KEY=<new> and MASTER_KEY_PREVIOUS=<old> on every node (rolling restart), run key:rotate with the same ' +
        'environment while the nodes run, then remove MASTER_KEY_PREVIOUS. Offline (MASTER_KEY alone, or file mode): stop every node first, ' +
        'one transaction. Backups taken before the rotation cannot be read with the new key (docs/operator-tools.md).',
    )
    .option('--new-key-file <path>', 'the new key (32 bytes, base64); left out, a key is generated (with MASTER_KEY set: printed once)')
    .option('--resume', 'file mode only: finish a rotation that was interrupted (keeps the key the database matches)')
    .option(
      '--settle-ms <ms>',
      'with MASTER_KEY_PREVIOUS: wait this long before the last pass (longer than the nodes take to see the rotation begin)',
      int('--settle-ms', 1100, 600_000),
      3000,
    )
    .action(async (o: { newKeyFile?: string; resume?: boolean; settleMs: number }) => {
      if (config.masterKeyPrevious) {
        await onlineRotateCommand(config, o, out);
        return;
      }
      if (config.database.kind === 'sqlite') {
        const pid = sqliteLockHolder(config.database.file, true);
        if (pid !== null) throw new Error(`The Lotse server (pid ${pid}) is running on ${config.database.file}: stop it before key:rotate.`);
      }
      const ds = await new DataSource(dataSourceOptions(config)).initialize();
      try {
        await ds.runMigrations();
        await rotateCommand(config, new DataKeyRepository(ds.getRepository(DataKey)), o, out);
      } finally {
        await ds.destroy();
      }
    });

  program
    .command('backup')
    .description(
      'Copy the embedded SQLite database into a file, online (consistent while the server runs and writes). ' +
        'The master key is never in the backup: keep it apart (docs/operator-tools.md). With MariaDB: prints the mariadb-dump procedure.',
    )
    .requiredOption('--out <file>', 'the backup file to write (mode 0600)')
    .option('--force', 'overwrite the file if it exists')
    .action((o: { out: string; force?: boolean }) => {
      if (config.database.kind !== 'sqlite') {
        MARIADB_PROCEDURE.forEach((l) => out(l));
        throw new Error('backup copies only the embedded SQLite database; nothing was written.');
      }
      const r = backupSqlite(config.database.file, o.out, o.force);
      chmodSync(r.file, 0o600);
      out(`Wrote a consistent backup of ${config.database.file} to ${r.file} (${r.bytes} bytes).`);
      out(keyNote(r.masterKeyIds, configuredKey(config)));
      out('The master key is not in the backup: restoring needs the key of this time, kept apart from the backups.');
    });

  program
    .command('restore')
    .description(
      'Put a backup made by `backup` in place of the embedded SQLite database. The server must be stopped; ' +
        'refuses to replace a database that holds data unless --force. With MariaDB: prints the restore procedure.',
    )
    .requiredOption('--from <file>', 'the backup file')
    .option('--force', 'replace a database that holds data')
    .action(async (o: { from: string; force?: boolean }) => {
      if (config.database.kind !== 'sqlite') {
        MARIADB_PROCEDURE.forEach((l) => out(l));
        throw new Error('restore writes only the embedded SQLite database; nothing was changed.');
      }
      const file = config.database.file;
      const pid = sqliteLockHolder(file, true);
      if (pid !== null) throw new Error(`The Lotse server (pid ${pid}) is running on ${file}: stop it before restore.`);
      const release = acquireSqliteLock(file);
      try {
        if (sqliteHasData(file) && !o.force) throw new Error(`${file} holds data: restore replaces it only with --force (make a backup of it first).`);
        const { masterKeyIds } = restoreSqlite(o.from, file);
        // migrations of a newer Lotse than the backup's run now (they also run at every start)
        const ds = await new DataSource(dataSourceOptions(config)).initialize();
        try {
          await ds.runMigrations();
        } finally {
          await ds.destroy();
        }
        out(`Restored ${o.from} into ${file}.`);
        out(keyNote(masterKeyIds, configuredKey(config)));
      } finally {
        release();
      }
    });

  return program;
}

/** The master key the server would use, without creating one (null: none configured yet). */
function configuredKey(config: AppConfig): Buffer | null {
  if (config.masterKey) return Buffer.from(config.masterKey, 'base64');
  const file = masterKeyFile(config);
  return existsSync(file) ? parseMasterKey(readFileSync(file, 'utf8'), file) : null;
}

/** key:rotate with MASTER_KEY and MASTER_KEY_PREVIOUS: while the nodes run (they accept both keys). */
async function onlineRotateCommand(
  config: AppConfig,
  o: { newKeyFile?: string; resume?: boolean; settleMs: number },
  out: (line: string) => void,
): Promise<void> {
  if (o.newKeyFile || o.resume) {
    throw new Error('With MASTER_KEY_PREVIOUS the new key is MASTER_KEY: --new-key-file and --resume are for the offline rotation.');
  }
  const current = Buffer.from(config.masterKey!, 'base64');
  const previous = Buffer.from(config.masterKeyPrevious!, 'base64');
  // No SQLite lock check: the server keeps running; each batch is a short write transaction (WAL, busy timeout).
  const ds = await new DataSource(dataSourceOptions(config)).initialize();
  try {
    const { rewrapped } = await rotateMasterKeyOnline(new DataKeyRepository(ds.getRepository(DataKey)), current, previous, { settleMs: o.settleMs });
    out(
      `Re-wrapped ${rewrapped} data keys from MASTER_KEY_PREVIOUS (id ${masterKeyId(previous)}) to MASTER_KEY (id ${masterKeyId(current)}) while the nodes ran.`,
    );
    out('Every data key is now wrapped by MASTER_KEY. Remove MASTER_KEY_PREVIOUS on every node (rolling restart), then destroy every copy of the old key.');
  } finally {
    await ds.destroy();
  }
}

async function rotateCommand(
  config: AppConfig,
  keys: DataKeyRepository,
  o: { newKeyFile?: string; resume?: boolean },
  out: (line: string) => void,
): Promise<void> {
  const fromFile = o.newKeyFile ? parseMasterKey(readFileSync(o.newKeyFile, 'utf8'), o.newKeyFile) : null;
  if (config.masterKey) {
    if (o.resume) throw new Error('--resume is for file mode (no MASTER_KEY); with MASTER_KEY the rotation is one transaction that happened or not.');
    const newKey = fromFile ?? randomBytes(32);
    const n = await rotateMasterKey(keys, Buffer.from(config.masterKey, 'base64'), newKey);
    out(`Re-wrapped ${n} data keys with the new master key (id ${masterKeyId(newKey)}).`);
    if (!fromFile) out(`New MASTER_KEY: ${newKey.toString('base64')}  (shown only now)`);
    out('Set MASTER_KEY to the new key on every node before starting them, and destroy every copy of the old key: it opens nothing any more.');
    if (o.newKeyFile) out(`Remove ${o.newKeyFile} once the key is deployed.`);
    return;
  }
  const file = masterKeyFile(config);
  const next = nextMasterKeyFile(config);
  const oldKey = existsSync(file) ? parseMasterKey(readFileSync(file, 'utf8'), file) : null;
  if (o.resume) {
    if (!existsSync(next)) throw new Error(`${next} does not exist: there is no interrupted rotation to finish.`);
    const nextKey = parseMasterKey(readFileSync(next, 'utf8'), next);
    const stored = await keys.masterKeyIds();
    // A committed rotation labels every key with the new id; unlabelled keys were never re-wrapped.
    const unlabelledOnly = stored.length > 0 && stored.every((id) => id === null);
    const match = unlabelledOnly ? oldKey : await matchingMasterKey(keys, [nextKey, ...(oldKey ? [oldKey] : [])]);
    if (match !== null && match === oldKey) {
      shredFile(next);
      out('The interrupted rotation had not been committed: the database still matches master.key. Run key:rotate again.');
      return;
    }
    if (match === null && stored.length > 0) throw new Error('Neither master.key nor master.key.next opens the stored data keys.');
    promoteNextKeyFile(config);
    out(`Finished the rotation: ${file} holds the new key (id ${masterKeyId(nextKey)}); the old key file was overwritten and removed.`);
    return;
  }
  if (!oldKey) throw new Error(`${file} does not exist: there is no master key to rotate.`);
  if (existsSync(next)) throw new Error(`${next} exists: a rotation was interrupted; run key:rotate --resume.`);
  const newKey = fromFile ?? randomBytes(32);
  // The new key is on disk before the database depends on it; renamed over master.key after the commit.
  writeKeyFile(next, newKey);
  let n: number;
  try {
    n = await rotateMasterKey(keys, oldKey, newKey);
  } catch (err) {
    shredFile(next);
    throw err;
  }
  promoteNextKeyFile(config);
  out(`Re-wrapped ${n} data keys with the new master key (id ${masterKeyId(newKey)}) in ${file}; the old key file was overwritten and removed.`);
  out('Backups taken before now cannot be read with the new key. Keep a copy of the new key apart from the database backups.');
}

/** Runs the CLI; resolves to the process exit code. */
export async function runCli(argv: string[], env: Record<string, string | undefined>, out: (line: string) => void): Promise<number> {
  let config: AppConfig;
  try {
    config = loadConfig({ ...env, DEMO: 'off' });
  } catch (err) {
    if (err instanceof ConfigError) {
      out(err.message);
      return 1;
    }
    throw err;
  }
  try {
    await buildCli(config, out).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof DomainError) {
      out(`${err.code}: ${err.message}`);
      return 1;
    }
    out(`Error: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

if (require.main === module) {
  Logger.overrideLogger(['error']);
  void runCli(process.argv.slice(2), process.env, (line) => process.stdout.write(line.endsWith('\n') ? line : `${line}\n`)).then((code) => process.exit(code));
}
