import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { DomainError } from '../../common/errors';
import { Transactions } from '../../infra/database/transactions';
import { isUniqueViolation } from '../../infra/database/unique-violation';
import { AccountsService } from '../accounts/accounts.service';
import { CentersService } from '../centers/centers.service';

export const DEMO_LOGINS = [
  { email: 'admin@demo.example', name: 'Demo Admin', role: 'admin' },
  { email: 'anna@demo.example', name: 'Anna', role: 'counselor' },
  { email: 'ben@demo.example', name: 'Ben', role: 'counselor' },
] as const;

/** On an empty database: the `demo` center with an admin and two counselors, logins printed once. */
@Injectable()
export class DemoService implements OnApplicationBootstrap {
  private readonly logger = new Logger(DemoService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly centers: CentersService,
    private readonly accounts: AccountsService,
    private readonly tx: Transactions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.demo || (await this.centers.count()) > 0) return;
    // the center and its three logins: all or nothing (a failed seeding leaves an empty database, seeded at the next start)
    let lines: string[];
    try {
      lines = await this.tx.run(async () => {
        const center = await this.centers.create('demo', 'Demo Beratungsstelle');
        const lines: string[] = [];
        for (const l of DEMO_LOGINS) {
          const { password } = await this.accounts.createStaff(center.id, {
            email: l.email,
            displayName: l.name,
            role: l.role,
            password: this.config.demoPassword ?? undefined,
          });
          lines.push(`  ${l.role.padEnd(9)} ${l.email.padEnd(20)} ${password}`);
        }
        return lines;
      });
    } catch (err) {
      // another node seeded it (its center was there when we looked, or its slug won the unique index)
      if ((err instanceof DomainError && err.code === 'CONFLICT') || isUniqueViolation(err)) return;
      throw err;
    }
    // Printed once, to the operator's terminal only (not through the structured log).
    process.stdout.write(
      `\nDemo center "demo" created. Logins (shown only now):\n${lines.join('\n')}\n` +
        `  Console:  ${this.config.publicUrl}/console.html\n  Widget:   ${this.config.publicUrl}/widget-demo.html?center=demo\n\n`,
    );
    this.logger.log('demo center created');
  }
}
