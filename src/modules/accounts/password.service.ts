import { Inject, Injectable } from '@nestjs/common';
import * as bcrypt from 'bcrypt';
import { errors } from '../../common/errors';
import { Gate } from '../../common/gate';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { isCommonPassword } from './common-passwords';

/**
 * bcrypt runs on libuv's thread pool (4 threads by default), which file reads, DNS and zlib share:
 * 50 logins from one address (the per-address limit) kept all four busy for half a minute under
 * load, and every other request that touched the file system (the static files are looked up for
 * each GET) waited behind them. At most this many hash operations run at once, so that one thread
 * stays free; the rest wait here.
 */
export const BCRYPT_CONCURRENCY = 3;

/** Password policy and hashing. */
@Injectable()
export class PasswordService {
  /** A real hash to compare against when the login is unknown: same answer, same time. */
  private readonly dummyHash: string;
  private readonly gate = new Gate(BCRYPT_CONCURRENCY);
  private readonly cost: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.cost = config.passwordHashCost;
    this.dummyHash = bcrypt.hashSync('lotse-timing-equaliser', this.cost);
  }

  /** Refuses passwords under 8 characters, over 72 bytes (bcrypt would cut them) or common ones. */
  check(password: string, field = 'password'): void {
    if (password.length < 8) throw errors.validation('The password must have at least 8 characters.', [field]);
    if (Buffer.byteLength(password, 'utf8') > 72) throw errors.validation('The password may have at most 72 bytes.', [field]);
    if (isCommonPassword(password)) throw errors.validation('This password is too common. Please choose another one.', [field]);
  }

  hash(password: string): Promise<string> {
    return this.gate.run(() => bcrypt.hash(password, this.cost));
  }

  /** Always runs one bcrypt comparison, also for unknown accounts. */
  async verify(password: string, hash: string | null): Promise<boolean> {
    if (Buffer.byteLength(password, 'utf8') > 72) {
      await this.gate.run(() => bcrypt.compare('x', hash ?? this.dummyHash));
      return false;
    }
    const ok = await this.gate.run(() => bcrypt.compare(password, hash ?? this.dummyHash));
    return ok && hash !== null;
  }
}
