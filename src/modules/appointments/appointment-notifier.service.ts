import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { MailService } from '../../infra/mail/mail.service';
import { RealtimePublisher } from '../../realtime/publisher';
import type { Account } from '../accounts/account.entity';
import { AccountsService } from '../accounts/accounts.service';
import { CentersService } from '../centers/centers.service';

export type AppointmentMailKind = 'booked' | 'cancelled';

/**
 * Pushes and notification mails of appointments. The mails carry only that something happened and
 * a link to the portal: no name, no time, no form (as the threads' mails). Clients get them at their
 * confirmed contact address only, staff at their login. Failures are logged, never thrown.
 */
@Injectable()
export class AppointmentNotifier {
  private readonly logger = new Logger(AppointmentNotifier.name);

  constructor(
    private readonly accounts: AccountsService,
    private readonly centers: CentersService,
    private readonly mail: MailService,
    private readonly publisher: RealtimePublisher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** `appointment.changed` to every session of these accounts. */
  push(appointmentId: string, accountIds: string[]): void {
    for (const id of new Set(accountIds)) this.publisher.toSubject(id, 'appointment.changed', { appointmentId });
  }

  /** The address a mail to this account goes to (null: none, e.g. an unconfirmed client). Read it before the account may go. */
  async addressOf(centerId: string, accountId: string): Promise<string | null> {
    const account = await this.accounts.findById(centerId, accountId);
    if (!account || account.status !== 'active') return null;
    return this.address(account);
  }

  async mailTo(centerId: string, addresses: (string | null)[], kind: AppointmentMailKind): Promise<void> {
    try {
      const to = addresses.filter((a): a is string => !!a);
      if (to.length === 0 || !this.config.mail) return;
      const center = await this.centers.byId(centerId);
      const link = `${this.config.publicUrl}/c/${encodeURIComponent(center.slug)}/app/appointments`;
      const { subject, line } = MAIL_TEXT[kind];
      for (const address of to) {
        await this.mail.send({
          to: address,
          subject: `${center.name}: ${subject}`,
          text: `Guten Tag,\n\n${line}\n${link}\n\nAus Gründen des Datenschutzes enthält diese E-Mail keine Inhalte. Bitte antworten Sie nicht auf diese E-Mail.\n`,
        });
      }
    } catch (err) {
      this.logger.error({ kind, err: (err as Error).message }, 'an appointment mail failed');
    }
  }

  private async address(account: Account): Promise<string | null> {
    return account.role === 'client' ? this.accounts.contactEmail(account) : account.login;
  }
}

const MAIL_TEXT: Record<AppointmentMailKind, { subject: string; line: string }> = {
  booked: { subject: 'Neuer Termin', line: 'ein neuer Termin wurde gebucht. Sie finden ihn nach der Anmeldung hier:' },
  cancelled: { subject: 'Termin abgesagt', line: 'ein Termin wurde abgesagt. Die Übersicht Ihrer Termine finden Sie nach der Anmeldung hier:' },
};
