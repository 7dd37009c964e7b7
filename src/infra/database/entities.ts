import { Account } from '../../modules/accounts/account.entity';
import { AuthToken } from '../../modules/auth/auth-token.entity';
import { Center } from '../../modules/centers/center.entity';
import { DataKey } from '../../modules/crypto/data-key.entity';

/** Every entity; the schema check in test/integration compares them with the migrations. */
export const ENTITIES = [Center, Account, AuthToken, DataKey];
