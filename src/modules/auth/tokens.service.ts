import { Injectable, OnModuleInit } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { createHash } from 'node:crypto';
import { AuthContext } from '../../common/auth-context';
import { Clock, IdGenerator } from '../../common/clock';
import { Transactions } from '../../infra/database/transactions';
import { ClusterBus } from '../../infra/redis/cluster-bus';
import type { Role } from '../../realtime/contract';
import { TokensRepository } from './tokens.repository';

/** Bus message `{ hashes }`: tokens revoked; every node drops them and disconnects their sockets. */
export const TOKENS_REVOKED = 'tokens.revoked';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
export const VISITOR_TTL_MS = 6 * 60 * 60 * 1000;
const CACHE_MS = 10_000;

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export interface TokenSubject {
  subjectId: string;
  role: Role;
  centerId: string;
  displayName: string;
}

/** Resolves a display name for a subject; registered by the accounts side (visitors have none). */
export type DisplayNameLookup = (centerId: string, subjectId: string, role: Role) => Promise<string | null>;

/**
 * Opaque random tokens (32 bytes, base64url); the database stores only their SHA-256. Lookups are
 * cached for ten seconds; a revocation is published to every node, which drops it at once.
 */
@Injectable()
export class TokensService implements OnModuleInit {
  private readonly cache = new Map<string, { auth: AuthContext; expiresAt: number; cachedAt: number }>();
  private readonly revokedListeners: ((hashes: string[]) => void)[] = [];
  private displayNames: DisplayNameLookup = () => Promise.resolve(null);

  constructor(
    private readonly repo: TokensRepository,
    private readonly bus: ClusterBus,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly tx: Transactions,
  ) {}

  onModuleInit(): void {
    this.bus.on(TOKENS_REVOKED, (payload) => {
      const hashes = (payload as { hashes?: unknown }).hashes;
      if (!Array.isArray(hashes)) return;
      const list = hashes.filter((h): h is string => typeof h === 'string');
      for (const h of list) this.cache.delete(h);
      for (const l of this.revokedListeners) l(list);
    });
    this.bus.on('tokens.subject-changed', (payload) => {
      const subjectId = (payload as { subjectId?: unknown }).subjectId;
      if (typeof subjectId === 'string') this.dropCachedSubject(subjectId);
    });
  }

  /**
   * The subject's display name changed: this node and the others drop its cached sessions, so the
   * next request (and socket) carries the new name.
   */
  subjectChanged(subjectId: string): void {
    this.dropCachedSubject(subjectId);
    this.bus.publish('tokens.subject-changed', { subjectId });
  }

  private dropCachedSubject(subjectId: string): void {
    for (const [hash, entry] of this.cache) if (entry.auth.subjectId === subjectId) this.cache.delete(hash);
  }

  useDisplayNames(lookup: DisplayNameLookup): void {
    this.displayNames = lookup;
  }

  /** Called on every node for every revocation (the realtime layer closes sockets with it). */
  onRevoked(listener: (hashes: string[]) => void): void {
    this.revokedListeners.push(listener);
  }

  async issue(subject: Omit<TokenSubject, 'displayName'>, ttlMs: number): Promise<string> {
    const token = this.ids.token(32);
    const now = this.clock.now();
    await this.repo.insert({
      tokenHash: hashToken(token),
      centerId: subject.centerId,
      subjectId: subject.subjectId,
      role: subject.role,
      createdAt: now,
      expiresAt: new Date(now.getTime() + ttlMs),
    });
    return token;
  }

  /** null for anything that is not a live token. */
  async resolve(token: unknown): Promise<AuthContext | null> {
    if (typeof token !== 'string' || token.length < 20 || token.length > 100) return null;
    const tokenHash = hashToken(token);
    const now = this.clock.now().getTime();
    const hit = this.cache.get(tokenHash);
    if (hit && now - hit.cachedAt < CACHE_MS) return hit.expiresAt > now ? hit.auth : null;
    const row = await this.repo.findByHash(tokenHash);
    if (!row || row.expiresAt.getTime() <= now) {
      this.cache.delete(tokenHash);
      return null;
    }
    const displayName = row.role === 'visitor' ? 'Visitor' : await this.displayNames(row.centerId, row.subjectId, row.role);
    if (displayName === null) return null;
    const auth: AuthContext = { subjectId: row.subjectId, role: row.role, centerId: row.centerId, displayName, tokenHash };
    if (this.cache.size > 50_000) this.cache.clear();
    this.cache.set(tokenHash, { auth, expiresAt: row.expiresAt.getTime(), cachedAt: now });
    return auth;
  }

  async revoke(tokenHash: string): Promise<void> {
    await this.repo.delete(tokenHash);
    this.bus.publish(TOKENS_REVOKED, { hashes: [tokenHash] });
  }

  /** Every token of a subject (password change, deletion); `except` keeps the caller's own. */
  async revokeSubject(centerId: string, subjectId: string, exceptHash?: string): Promise<void> {
    const hashes = await this.repo.deleteBySubject(centerId, subjectId, exceptHash);
    // inside an account's deletion: the sessions end once the deletion is committed
    if (hashes.length > 0) await this.tx.afterCommit(() => this.bus.publish(TOKENS_REVOKED, { hashes }));
  }

  @Cron(CronExpression.EVERY_10_MINUTES)
  async sweepExpired(): Promise<void> {
    await this.repo.deleteExpired(this.clock.now());
  }
}
