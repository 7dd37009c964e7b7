import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';
import { BoolColumn, DateColumn } from '../../infra/database/columns';

export interface OpeningHoursEntry {
  /** 0 = Sunday … 6 = Saturday */
  day: number;
  /** "HH:MM" in the center's time zone */
  from: string;
  to: string;
}

export type LiveHandover = 'handover' | 'end';
export const LIVE_HANDOVER_MODES: LiveHandover[] = ['handover', 'end'];
export const DEFAULT_QUICK_EXIT_URL = 'https://www.wikipedia.org/';
/** Document (PDF) limits of a new center: 10 MiB per file, 20 uploads and 50 MiB per account and day. */
export const DOCUMENT_DEFAULTS = { maxBytes: 10 * 1024 * 1024, dailyQuota: 20, dailyBytes: 50 * 1024 * 1024 } as const;
/** Retention periods of mail counseling (days), until the center's admin changes them. */
export const DEFAULT_RETENTION = { threadRetentionDays: 180, unconfirmedRegistrationDays: 7, unusedAccountDays: 90 } as const;

@Entity('centers')
@Unique('uq_centers_slug', ['slug'])
export class Center {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  slug!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ name: 'live_waiting_limit', type: 'int', default: 10 })
  liveWaitingLimit!: number;

  @Column({ name: 'live_max_wait_minutes', type: 'int', default: 30 })
  liveMaxWaitMinutes!: number;

  @Column({ name: 'shift_grace_seconds', type: 'int', default: 60 })
  shiftGraceSeconds!: number;

  @BoolColumn({ name: 'keep_live_transcripts', default: false })
  keepLiveTranscripts!: boolean;

  @Column({ name: 'transcript_retention_days', type: 'int', default: 30 })
  transcriptRetentionDays!: number;

  @BoolColumn({ name: 'keep_topic_transcripts', default: false })
  keepTopicTranscripts!: boolean;

  @Column({ name: 'opening_hours', type: 'simple-json', nullable: true })
  openingHours!: OpeningHoursEntry[] | null;

  @Column({ name: 'time_zone', type: 'varchar', length: 64, default: 'Europe/Berlin' })
  timeZone!: string;

  @Column({ name: 'privacy_text', type: 'text', nullable: true })
  privacyText!: string | null;

  /** Crisis lines shown when nobody can answer (closed, full, ended); null = the widget's default. */
  @Column({ name: 'emergency_text', type: 'text', nullable: true })
  emergencyText!: string | null;

  /** Homepage origins allowed to embed the widget (CSP frame-ancestors). */
  @Column({ name: 'widget_origins', type: 'simple-json', nullable: true })
  widgetOrigins!: string[] | null;

  /** When a counselor's connection is gone beyond the shift grace: hand their chats to another counselor, or end them. */
  @Column({ name: 'live_handover', type: 'varchar', length: 16, default: 'handover' })
  liveHandover!: LiveHandover;

  /** How long "end and block" keeps a visitor token and its address hash out of the live chat. */
  @Column({ name: 'live_block_hours', type: 'int', default: 24 })
  liveBlockHours!: number;

  /** How many visitors may wait at once from one address (hash); families and schools share one. */
  @Column({ name: 'live_waiting_per_address', type: 'int', default: 3 })
  liveWaitingPerAddress!: number;

  /** Where the widget's quick exit leads: an https URL or a path on this site. */
  @Column({ name: 'quick_exit_url', type: 'varchar', length: 500, default: 'https://www.wikipedia.org/' })
  quickExitUrl!: string;

  /** The center's imprint (an https URL or a path on this site); linked from every portal page. */
  @Column({ name: 'imprint_url', type: 'varchar', length: 500, nullable: true })
  imprintUrl!: string | null;

  /** The center's privacy statement (an https URL or a path on this site). */
  @Column({ name: 'privacy_url', type: 'varchar', length: 500, nullable: true })
  privacyUrl!: string | null;

  /** The largest document (PDF) a thread takes, in bytes; refused while the upload streams. */
  @Column({ name: 'document_max_bytes', type: 'int', default: 10 * 1024 * 1024 })
  documentMaxBytes!: number;

  /** Documents one account may upload per day (the center's calendar day). */
  @Column({ name: 'document_daily_quota', type: 'int', default: 20 })
  documentDailyQuota!: number;

  /** Bytes one account may upload per day. */
  @Column({ name: 'document_daily_bytes', type: 'int', default: 50 * 1024 * 1024 })
  documentDailyBytes!: number;
  /** Days after its close that a closed thread (posts, documents, notes, keys) is deleted. */
  @Column({ name: 'thread_retention_days', type: 'int', default: 180 })
  threadRetentionDays!: number;

  /** Days after which a client who gave an email, never confirmed it and never used the account is deleted. */
  @Column({ name: 'unconfirmed_registration_days', type: 'int', default: 7 })
  unconfirmedRegistrationDays!: number;

  /** Days without a login after which a client account that holds nothing (never wrote, in no thread) is deleted. */
  @Column({ name: 'unused_account_days', type: 'int', default: 90 })
  unusedAccountDays!: number;

  @DateColumn({ name: 'created_at' })
  createdAt!: Date;
}
