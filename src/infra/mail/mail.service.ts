import { Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTransport, Transporter } from 'nodemailer';
import { Clock, SystemClock } from '../../common/clock';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { shredFile } from '../files/shred';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

/** How long the local outbox keeps a mail (it is a development and embedded-mode stand-in for SMTP). */
export const OUTBOX_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Mail through nodemailer: SMTP when SMTP_URL is set, otherwise .eml files in `<data>/outbox`,
 * kept for seven days. Logs name the subject only, never the recipient or the text.
 */
@Injectable()
export class MailService {
  private readonly logger = new Logger(MailService.name);
  private readonly transport: Transporter;
  readonly outboxDir: string | null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock = new SystemClock(),
  ) {
    if (config.smtpUrl) {
      this.transport = createTransport(config.smtpUrl);
      this.outboxDir = null;
    } else {
      this.outboxDir = join(config.dataDir, 'outbox');
      mkdirSync(this.outboxDir, { recursive: true, mode: 0o700 });
      this.transport = createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
      this.pruneOutbox();
    }
  }

  async send(mail: OutgoingMail): Promise<void> {
    const info = (await this.transport.sendMail({ from: this.config.mailFrom, ...mail })) as { message?: Buffer; messageId?: string };
    if (this.outboxDir && info.message) {
      const file = join(this.outboxDir, `${this.clock.now().getTime()}-${Math.random().toString(36).slice(2, 8)}.eml`);
      await writeFile(file, info.message, { mode: 0o600 });
      this.logger.log({ subject: mail.subject, file }, 'mail written to the local outbox');
    } else {
      this.logger.log({ subject: mail.subject }, 'mail sent');
    }
  }

  /** A deleted account's address leaves no trace: every outbox mail to or mentioning it is overwritten and removed. */
  forgetAddress(address: string): number {
    const needle = address.trim().toLowerCase();
    if (!this.outboxDir || needle === '') return 0;
    let removed = 0;
    for (const file of this.outboxFiles()) {
      try {
        if (!decodeMail(readFileSync(file, 'utf8')).toLowerCase().includes(needle)) continue;
        shredFile(file);
        removed++;
      } catch (err) {
        this.logger.warn({ file, err: (err as Error).message }, 'could not remove an outbox mail');
      }
    }
    return removed;
  }

  /** Removes outbox mails older than the retention (hourly, and at start). */
  @Interval(60 * 60 * 1000)
  pruneOutbox(now = this.clock.now().getTime()): number {
    if (!this.outboxDir) return 0;
    let removed = 0;
    for (const file of this.outboxFiles()) {
      try {
        if (now - statSync(file).mtimeMs <= OUTBOX_RETENTION_MS) continue;
        shredFile(file);
        removed++;
      } catch (err) {
        this.logger.warn({ file, err: (err as Error).message }, 'could not prune an outbox mail');
      }
    }
    return removed;
  }

  private outboxFiles(): string[] {
    const dir = this.outboxDir;
    if (!dir) return [];
    return readdirSync(dir)
      .filter((f) => f.endsWith('.eml'))
      .map((f) => join(dir, f));
  }
}

/** The text of an .eml with quoted-printable soft breaks and escapes undone (addresses may be split by them). */
function decodeMail(raw: string): string {
  return raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
