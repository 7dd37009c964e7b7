import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { AuthContext, requireRole } from '../../common/auth-context';
import { Clock, IdGenerator } from '../../common/clock';
import { errors } from '../../common/errors';
import type { CenterListItem } from '../../realtime/contract';
import { Center, DEFAULT_QUICK_EXIT_URL, DEFAULT_RETENTION, DOCUMENT_DEFAULTS } from './center.entity';
import { CentersRepository } from './centers.repository';

export const SLUG_RE = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

export type CenterSettings = Pick<
  Center,
  | 'liveWaitingLimit'
  | 'liveMaxWaitMinutes'
  | 'shiftGraceSeconds'
  | 'keepLiveTranscripts'
  | 'transcriptRetentionDays'
  | 'keepTopicTranscripts'
  | 'openingHours'
  | 'timeZone'
  | 'privacyText'
  | 'emergencyText'
  | 'widgetOrigins'
  | 'liveHandover'
  | 'liveBlockHours'
  | 'liveWaitingPerAddress'
  | 'quickExitUrl'
  | 'name'
  | 'imprintUrl'
  | 'privacyUrl'
  | 'documentMaxBytes'
  | 'documentDailyQuota'
  | 'documentDailyBytes'
  | 'threadRetentionDays'
  | 'unconfirmedRegistrationDays'
  | 'unusedAccountDays'
>;

const NULLABLE_SETTINGS = new Set(['privacyText', 'emergencyText', 'imprintUrl', 'privacyUrl', 'openingHours', 'widgetOrigins']);

/** Centers (tenants). Looked up by slug; cached briefly since every public request needs one. */
@Injectable()
export class CentersService {
  private readonly cache = new Map<string, { center: Center; at: number }>();
  private readonly zones = new Map<string, { timeZone: string; at: number }>();

  constructor(
    private readonly repo: CentersRepository,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(slug: string, name: string): Promise<Center> {
    const normalised = slug.trim().toLowerCase();
    if (!SLUG_RE.test(normalised)) throw errors.validation('The slug may hold a–z, 0–9 and hyphens (1–64 characters).', ['slug']);
    if (!name.trim() || name.length > 200) throw errors.validation('The name must have 1–200 characters.', ['name']);
    if (await this.repo.findBySlug(normalised)) throw errors.conflict(`A center with the slug "${normalised}" exists already.`);
    const center = Object.assign(new Center(), {
      id: this.ids.uuid(),
      slug: normalised,
      name: name.trim(),
      liveWaitingLimit: 10,
      liveMaxWaitMinutes: 30,
      shiftGraceSeconds: 60,
      keepLiveTranscripts: false,
      transcriptRetentionDays: 30,
      keepTopicTranscripts: false,
      openingHours: null,
      timeZone: 'Europe/Berlin',
      privacyText: null,
      emergencyText: null,
      widgetOrigins: null,
      liveHandover: 'handover',
      liveBlockHours: 24,
      liveWaitingPerAddress: 3,
      quickExitUrl: DEFAULT_QUICK_EXIT_URL,
      imprintUrl: null,
      privacyUrl: null,
      documentMaxBytes: DOCUMENT_DEFAULTS.maxBytes,
      documentDailyQuota: DOCUMENT_DEFAULTS.dailyQuota,
      documentDailyBytes: DOCUMENT_DEFAULTS.dailyBytes,
      threadRetentionDays: DEFAULT_RETENTION.threadRetentionDays,
      unconfirmedRegistrationDays: DEFAULT_RETENTION.unconfirmedRegistrationDays,
      unusedAccountDays: DEFAULT_RETENTION.unusedAccountDays,
      createdAt: this.clock.now(),
    });
    await this.repo.insert(center);
    return center;
  }

  /** NOT_FOUND for an unknown slug. Cached for two seconds (settings changes show up within that). */
  async bySlug(slug: unknown): Promise<Center> {
    if (typeof slug !== 'string' || !SLUG_RE.test(slug)) throw errors.notFound('The center');
    const hit = this.cache.get(slug);
    const now = this.clock.now().getTime();
    if (hit && now - hit.at < 2000) return hit.center;
    const center = await this.repo.findBySlug(slug);
    if (!center) throw errors.notFound('The center');
    this.cache.set(slug, { center, at: now });
    return center;
  }

  /** The center's time zone (the statistics count every post in it): cached for two seconds like `bySlug`. */
  async timeZone(id: string): Promise<string> {
    const hit = this.zones.get(id);
    const now = this.clock.now().getTime();
    if (hit && now - hit.at < 2000) return hit.timeZone;
    const { timeZone } = await this.byId(id);
    // a deleted center's entry must not pile up: the map holds the centers seen in the last moments only
    if (this.zones.size > 10_000) this.zones.clear();
    this.zones.set(id, { timeZone, at: now });
    return timeZone;
  }

  async byId(id: string): Promise<Center> {
    const center = await this.repo.findById(id);
    if (!center) throw errors.notFound('The center');
    return center;
  }

  /** Inside `Transactions.run`: the center's steps that must see each other wait for each other until the commit. */
  lock(centerId: string): Promise<void> {
    return this.repo.lock(centerId);
  }

  count(): Promise<number> {
    return this.repo.count();
  }

  /** Every center's id (jobs that go through all tenants). */
  allIds(): Promise<string[]> {
    return this.repo.listIds();
  }

  /** The installation's centers, slug and name only (public: what `GET /` lists). */
  async list(): Promise<CenterListItem[]> {
    return (await this.repo.listAll()).map((c) => ({ slug: c.slug, name: c.name }));
  }

  /** What the widget shows before a chat: name, privacy text, opening hours, crisis lines, quick-exit page. */
  async publicInfo(slug: string): Promise<CenterPublicView> {
    return { ...publicView(await this.bySlug(slug)), video: this.config.jitsi !== null };
  }

  /** The caller's center's settings (admins; the guard has checked that `:center` is theirs). */
  async settings(auth: AuthContext): Promise<CenterSettingsView> {
    requireRole(auth, 'admin');
    return settingsView(await this.byId(auth.centerId));
  }

  async changeSettings(auth: AuthContext, patch: Partial<CenterSettings>): Promise<CenterSettingsView> {
    requireRole(auth, 'admin');
    // class-validator's IsOptional lets null through: only these settings may be cleared
    const nulls = Object.entries(patch)
      .filter(([k, v]) => v === null && !NULLABLE_SETTINGS.has(k))
      .map(([k]) => k);
    if (nulls.length > 0) throw errors.validation(`These settings cannot be empty: ${nulls.join(', ')}.`, nulls);
    return settingsView(await this.updateSettings(auth.centerId, patch));
  }

  async updateSettings(centerId: string, patch: Partial<CenterSettings>): Promise<Center> {
    const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<CenterSettings>;
    if (defined.name !== undefined) {
      defined.name = defined.name.trim();
      if (!defined.name) throw errors.validation('The name must have 1–200 characters.', ['name']);
    }
    const badHours = (defined.openingHours ?? []).findIndex((h) => h.from >= h.to);
    if (badHours >= 0) throw errors.validation('Opening hours must end after they begin.', [`openingHours.${badHours}.to`]);
    if (Object.keys(defined).length > 0) await this.repo.update(centerId, defined);
    const center = await this.byId(centerId);
    this.cache.delete(center.slug);
    this.zones.delete(centerId);
    return center;
  }
}

const publicView = (c: Center) => ({
  slug: c.slug,
  name: c.name,
  privacyText: c.privacyText,
  emergencyText: c.emergencyText,
  openingHours: c.openingHours ?? [],
  timeZone: c.timeZone,
  quickExitUrl: c.quickExitUrl,
  imprintUrl: c.imprintUrl,
  privacyUrl: c.privacyUrl,
});
/** `video`: the installation has a Jitsi (JITSI_*), so the portal shows video rooms. */
export type CenterPublicView = ReturnType<typeof publicView> & { video: boolean };

function settingsView(c: Center) {
  return {
    name: c.name,
    liveWaitingLimit: c.liveWaitingLimit,
    liveMaxWaitMinutes: c.liveMaxWaitMinutes,
    shiftGraceSeconds: c.shiftGraceSeconds,
    keepLiveTranscripts: c.keepLiveTranscripts,
    transcriptRetentionDays: c.transcriptRetentionDays,
    keepTopicTranscripts: c.keepTopicTranscripts,
    openingHours: c.openingHours ?? [],
    timeZone: c.timeZone,
    privacyText: c.privacyText,
    emergencyText: c.emergencyText,
    widgetOrigins: c.widgetOrigins ?? [],
    liveHandover: c.liveHandover,
    liveBlockHours: c.liveBlockHours,
    liveWaitingPerAddress: c.liveWaitingPerAddress,
    quickExitUrl: c.quickExitUrl,
    imprintUrl: c.imprintUrl,
    privacyUrl: c.privacyUrl,
    documentMaxBytes: c.documentMaxBytes,
    documentDailyQuota: c.documentDailyQuota,
    documentDailyBytes: c.documentDailyBytes,
    threadRetentionDays: c.threadRetentionDays,
    unconfirmedRegistrationDays: c.unconfirmedRegistrationDays,
    unusedAccountDays: c.unusedAccountDays,
  };
}
export type CenterSettingsView = ReturnType<typeof settingsView>;
