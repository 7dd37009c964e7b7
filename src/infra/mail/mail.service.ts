import { Inject, Injectable, Logger } from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createTransport, Transporter } from 'nodemailer';
import { APP_CONFIG, AppConfig } from '../../config/config';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

/**
 * Mail through nodemailer: SMTP when SMTP_URL is set, otherwise .eml files in `<data>/outbox`.
 * Logs name the subject only, never the recipient or the text.
 */
@Injectable()
export class MailService {
  private readonly logger = new Logger(MailService.name);
  private readonly transport: Transporter;
  readonly outboxDir: string | null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    if (config.smtpUrl) {
      this.transport = createTransport(config.smtpUrl);
      this.outboxDir = null;
    } else {
      this.outboxDir = join(config.dataDir, 'outbox');
      mkdirSync(this.outboxDir, { recursive: true, mode: 0o700 });
      this.transport = createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    }
  }

  async send(mail: OutgoingMail): Promise<void> {
    const info = (await this.transport.sendMail({ from: this.config.mailFrom, ...mail })) as { message?: Buffer; messageId?: string };
    if (this.outboxDir && info.message) {
      const { writeFile } = await import('node:fs/promises');
      const file = join(this.outboxDir, `${Date.now()}-${Math.random().toString(36).slice(2, 8)}.eml`);
      await writeFile(file, info.message, { mode: 0o600 });
      this.logger.log({ subject: mail.subject, file }, 'mail written to the local outbox');
    } else {
      this.logger.log({ subject: mail.subject }, 'mail sent');
    }
  }
}
