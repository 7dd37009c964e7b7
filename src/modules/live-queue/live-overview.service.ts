import { Inject, Injectable } from '@nestjs/common';
import { AuthContext, requireRole } from '../../common/auth-context';
import { AccountsService } from '../accounts/accounts.service';
import { LiveQueueRepository } from './live-queue.repository';
import { LIVE_QUEUE_STORE, LiveQueueStore } from './queue-store';

export interface LiveOverviewCounselor {
  id: string;
  displayName: string;
  onShift: boolean;
  /** Running live chats they hold now. */
  chats: number;
  /** The shift's limit; 0 off shift. */
  maxChats: number;
  /** On shift, but their connection is gone (the grace runs). */
  away: boolean;
}

export interface LiveOverview {
  waiting: number;
  counselors: LiveOverviewCounselor[];
}

/**
 * The admin's live overview: who is on shift, how many chats each holds, how many wait. Counts and
 * staff names only: no visitor, no label, no message.
 */
@Injectable()
export class LiveOverviewService {
  constructor(
    @Inject(LIVE_QUEUE_STORE) private readonly store: LiveQueueStore,
    private readonly repo: LiveQueueRepository,
    private readonly accounts: AccountsService,
  ) {}

  async overview(auth: AuthContext): Promise<LiveOverview> {
    requireRole(auth, 'admin');
    const [staff, shifts, chats, status, seats] = await Promise.all([
      this.accounts.listStaffAccounts(auth.centerId),
      this.repo.findOpenShifts(auth.centerId),
      this.repo.findRunningChats(auth.centerId),
      this.store.status(auth.centerId),
      this.store.seats(auth.centerId),
    ]);
    const shiftOf = new Map(shifts.map((s) => [s.counselorId, s]));
    const held = new Map<string, number>();
    for (const c of chats) held.set(c.counselorId, (held.get(c.counselorId) ?? 0) + 1);
    const away = new Set(seats.away);
    const counselors = staff
      // every active counselor, and anybody else (an admin) who is on shift or holds a chat
      .filter((a) => a.status === 'active' && (a.role === 'counselor' || shiftOf.has(a.id) || held.has(a.id)))
      .map((a): LiveOverviewCounselor => {
        const shift = shiftOf.get(a.id);
        return {
          id: a.id,
          displayName: a.displayName,
          onShift: shift !== undefined,
          chats: held.get(a.id) ?? 0,
          maxChats: shift?.maxChats ?? 0,
          away: shift !== undefined && away.has(a.id),
        };
      })
      .sort((x, y) => Number(y.onShift) - Number(x.onShift) || x.displayName.localeCompare(y.displayName));
    return { waiting: status.waiting, counselors };
  }
}
