import { Injectable } from '@nestjs/common';
import * as bcrypt from 'bcrypt';
import { errors } from '../../common/errors';
import { isCommonPassword } from './common-passwords';

export const BCRYPT_COST = 12;

/** Password policy and hashing. */
@Injectable()
export class PasswordService {
  /** A real hash to compare against when the login is unknown: same answer, same time. */
  private readonly dummyHash = bcrypt.hashSync('lotse-timing-equaliser', BCRYPT_COST);

  /** Refuses passwords under 8 characters, over 72 bytes (bcrypt would cut them) or common ones. */
  check(password: string, field = 'password'): void {
    if (password.length < 8) throw errors.validation('The password must have at least 8 characters.', [field]);
    if (Buffer.byteLength(password, 'utf8') > 72) throw errors.validation('The password may have at most 72 bytes.', [field]);
    if (isCommonPassword(password)) throw errors.validation('This password is too common. Please choose another one.', [field]);
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, BCRYPT_COST);
  }

  /** Always runs one bcrypt comparison, also for unknown accounts. */
  async verify(password: string, hash: string | null): Promise<boolean> {
    if (Buffer.byteLength(password, 'utf8') > 72) {
      await bcrypt.compare('x', hash ?? this.dummyHash);
      return false;
    }
    const ok = await bcrypt.compare(password, hash ?? this.dummyHash);
    return ok && hash !== null;
  }
}
