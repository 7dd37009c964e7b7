import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { AuthContext, requireRole } from '../../common/auth-context';
import { Clock, IdGenerator } from '../../common/clock';
import type { RetentionCounts, RetentionOverview } from '../../realtime/contract';
import { AbsencesService } from '../absences/absences.service';
import { ClientActivity, InactiveClientsService } from '../admin/inactive-clients.service';
import type { Center } from '../centers/center.entity';
import { CentersService } from '../centers/centers.service';
import { ThreadRetentionService } from '../threads/thread-retention.service';
import { RetentionLeasesRepository } from './retention-leases.repository';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Every node sweeps this often; a center runs on the one node that takes its lease. */
export const RETENTION_SWEEP_MS = 5 * 60 * 1000;
/** Shorter than the sweep interval: the next sweep after a run may take the center again. */
const LEASE_MS = 4 * 60 * 1000;

/** What one center's run deleted. */
export interface RetentionRun {
  centerId: string;
  threads: number;
  unconfirmedRegistrations: number;
  unusedAccounts: number;
  absences: number;
}

interface AccountDue {
  id: string;
  displayName: string;
  reason: 'unconfirmed' | 'unused';
  expiresAt: Date;
}

/**
 * Retention of mail counseling, after the center's settings: closed threads `threadRetentionDays`
 * after their close; a client who gave an email, never confirmed it and never used the account
 * `unconfirmedRegistrationDays` after their registration or last login; a client account that
 * holds nothing (never wrote, in no thread) `unusedAccountDays` after its last login (or
 * registration); ended absences at once. A sweep on every node every few minutes; each center
 * runs on the one node whose conditional update takes its lease (database time), and every
 * deletion is conditional again, so two nodes never delete the same thing twice. Accounts go
 * through the same erasure as the portal's "delete my account".
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger('Retention');

  constructor(
    private readonly leases: RetentionLeasesRepository,
    private readonly centers: CentersService,
    private readonly threads: ThreadRetentionService,
    private readonly clients: InactiveClientsService,
    private readonly absences: AbsencesService,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  /** The sweep; `at` stands in for the database's now (a test moving time). Returns the runs this node did. */
  @Interval(RETENTION_SWEEP_MS)
  async sweep(at?: Date): Promise<RetentionRun[]> {
    const runs: RetentionRun[] = [];
    try {
      const now = at ?? (await this.leases.dbNow());
      for (const centerId of await this.centers.allIds()) {
        const holder = this.ids.uuid();
        if (!(await this.leases.claim(centerId, now, new Date(now.getTime() + LEASE_MS), holder))) continue;
        try {
          runs.push(await this.runCenter(await this.centers.byId(centerId), now));
          await this.leases.finish(centerId, holder, now);
        } catch (err) {
          // the rest of the center waits for the next lease; other centers go on
          this.logger.warn({ centerId, err: (err as Error).message }, 'retention run failed');
        }
      }
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'retention sweep failed');
    }
    for (const run of runs) {
      if (run.threads + run.unconfirmedRegistrations + run.unusedAccounts > 0) this.logger.log(run, 'retention deleted');
    }
    return runs;
  }

  /** The admin's view: what expires within the next 7 and 30 days (dates and pseudonyms, never content). */
  async overview(auth: AuthContext): Promise<RetentionOverview> {
    requireRole(auth, 'admin');
    const center = await this.centers.byId(auth.centerId);
    const now = this.clock.now();
    const in7 = new Date(now.getTime() + 7 * DAY_MS);
    const in30 = new Date(now.getTime() + 30 * DAY_MS);
    const threads = (await this.threads.closedBefore(center.id, new Date(in30.getTime() - center.threadRetentionDays * DAY_MS))).flatMap((t) =>
      t.closedAt ? [{ closedAt: t.closedAt, expiresAt: new Date(t.closedAt.getTime() + center.threadRetentionDays * DAY_MS) }] : [],
    );
    const accounts = await this.accountsDue(center, in30);
    const counts = (until: Date): RetentionCounts => ({
      threads: threads.filter((t) => t.expiresAt <= until).length,
      unconfirmedRegistrations: accounts.filter((a) => a.reason === 'unconfirmed' && a.expiresAt <= until).length,
      unusedAccounts: accounts.filter((a) => a.reason === 'unused' && a.expiresAt <= until).length,
    });
    return {
      settings: {
        threadRetentionDays: center.threadRetentionDays,
        unconfirmedRegistrationDays: center.unconfirmedRegistrationDays,
        unusedAccountDays: center.unusedAccountDays,
      },
      within7Days: counts(in7),
      within30Days: counts(in30),
      threads: threads.map((t) => ({ closedAt: t.closedAt.toISOString(), expiresAt: t.expiresAt.toISOString() })),
      accounts: accounts.map((a) => ({ id: a.id, displayName: a.displayName, reason: a.reason, expiresAt: a.expiresAt.toISOString() })),
    };
  }

  private async runCenter(center: Center, now: Date): Promise<RetentionRun> {
    const run: RetentionRun = { centerId: center.id, threads: 0, unconfirmedRegistrations: 0, unusedAccounts: 0, absences: 0 };
    const closedBefore = new Date(now.getTime() - center.threadRetentionDays * DAY_MS);
    for (const t of await this.threads.closedBefore(center.id, closedBefore)) {
      if (await this.threads.deleteClosed(center.id, t.id, closedBefore)) run.threads++;
    }
    for (const due of await this.accountsDue(center, now)) {
      const stillDue = (a: ClientActivity) => expiryOf(center, a)?.expiresAt.getTime() === due.expiresAt.getTime();
      if (!(await this.clients.erase(center.id, due.id, stillDue))) continue;
      if (due.reason === 'unconfirmed') run.unconfirmedRegistrations++;
      else run.unusedAccounts++;
    }
    run.absences = await this.absences.deleteEnded(center.id, now);
    return run;
  }

  /** The clients whose account expires by `until`, the soonest first. */
  private async accountsDue(center: Center, until: Date): Promise<AccountDue[]> {
    return (await this.clients.survey(center.id))
      .flatMap((a) => {
        const expiry = expiryOf(center, a);
        return expiry && expiry.expiresAt <= until ? [{ id: a.account.id, displayName: a.account.displayName, ...expiry }] : [];
      })
      .sort((x, y) => x.expiresAt.getTime() - y.expiresAt.getTime());
  }
}

/**
 * When a client account expires, or null while it is in use (it wrote, or takes part in a thread).
 * An unconfirmed registration (an email given, never confirmed) expires after the shorter period.
 */
export function expiryOf(center: Center, a: ClientActivity): Pick<AccountDue, 'reason' | 'expiresAt'> | null {
  if (a.hasWritten || a.inThread || a.account.status !== 'active') return null;
  const from = a.lastActiveAt.getTime();
  const unused = { reason: 'unused' as const, expiresAt: new Date(from + center.unusedAccountDays * DAY_MS) };
  if (!a.emailGiven || a.emailConfirmed) return unused;
  const unconfirmed = { reason: 'unconfirmed' as const, expiresAt: new Date(from + center.unconfirmedRegistrationDays * DAY_MS) };
  return unconfirmed.expiresAt <= unused.expiresAt ? unconfirmed : unused;
}
