import type Redis from 'ioredis';
import type { DataSource, EntityMetadata } from 'typeorm';
import { Center } from './center.entity';
import { AuthToken } from '../auth/auth-token.entity';
import { DataKey } from '../crypto/data-key.entity';
import { queueKeys } from '../live-queue/queue-scripts';
import { busChannel } from '../../infra/redis/cluster-bus';
import { TOKENS_REVOKED } from '../auth/tokens.service';
import { KEYS_DESTROYED } from '../crypto/crypto.service';
import { MEMBERSHIP_CHANGED, MembershipChange } from '../rooms/membership-cache';

/** Rows deleted per table (table name → count), the center's own row included. */
export type DeletedRows = Record<string, number>;

/** What the running nodes must drop once a center's rows are gone. */
export interface CenterDeletion {
  rows: DeletedRows;
  /** SHA-256 hashes of the center's sessions and visitor tokens (nodes drop them and disconnect their sockets). */
  tokenHashes: string[];
  /** Scopes of the center's data keys (nodes drop them from their key caches). */
  keyScopes: string[];
}

/**
 * Every table of a center's data: each entity but the center itself must carry `centerId`, or this
 * throws before anything is deleted — a new table cannot be forgotten by center deletion silently.
 */
export function centerTables(ds: DataSource): EntityMetadata[] {
  const tables: EntityMetadata[] = [];
  for (const meta of ds.entityMetadatas) {
    if (meta.target === Center) continue;
    if (!meta.findColumnWithPropertyName('centerId')) {
      throw new Error(`The table ${meta.tableName} has no center_id: center deletion does not know how to delete its rows.`);
    }
    tables.push(meta);
  }
  return tables;
}

/**
 * Deletes a center and every row of it in one transaction: accounts, sessions, rooms, messages,
 * threads, documents, notes, appointments, video rooms, statistics, keys. There are no foreign keys
 * between the tables, so the order does not matter. The center's data keys go with it, so whatever
 * a backup of before still holds of the center becomes unreadable once the master key is rotated
 * (docs/security.md, "Backups and key rotation").
 */
export async function deleteCenterRows(ds: DataSource, centerId: string): Promise<CenterDeletion> {
  const tables = centerTables(ds);
  return ds.transaction(async (em) => {
    const tokenHashes = (await em.getRepository(AuthToken).find({ select: { tokenHash: true }, where: { centerId } })).map((t) => t.tokenHash);
    const keyScopes = [...new Set((await em.getRepository(DataKey).find({ select: { scope: true }, where: { centerId } })).map((k) => k.scope))];
    const rows: DeletedRows = {};
    for (const meta of tables) {
      const result = await em.createQueryBuilder().delete().from(meta.target).where('centerId = :centerId', { centerId }).execute();
      rows[meta.tableName] = result.affected ?? 0;
    }
    rows.centers = (await em.createQueryBuilder().delete().from(Center).where('id = :centerId', { centerId }).execute()).affected ?? 0;
    return { rows, tokenHashes, keyScopes };
  });
}

const HASHES_PER_MESSAGE = 500;

/**
 * Tells every running node through Redis: the center's tokens are revoked (each node drops them
 * from its cache and disconnects their sockets), its keys destroyed and its rooms' memberships
 * dropped from the nodes' MembershipCache; the center's live queue in
 * Redis (waiting visitors, shifts) is deleted. Awaited, so the CLI does not exit before Redis has it.
 */
export async function notifyNodes(redis: Redis, centerId: string, deletion: CenterDeletion): Promise<void> {
  for (let i = 0; i < deletion.tokenHashes.length; i += HASHES_PER_MESSAGE) {
    await redis.publish(busChannel(TOKENS_REVOKED), JSON.stringify({ hashes: deletion.tokenHashes.slice(i, i + HASHES_PER_MESSAGE) }));
  }
  for (const scope of deletion.keyScopes) await redis.publish(busChannel(KEYS_DESTROYED), JSON.stringify({ centerId, scope }));
  await redis.publish(busChannel(MEMBERSHIP_CHANGED), JSON.stringify({ centerId } satisfies MembershipChange));
  await redis.del(...queueKeys(centerId));
}
