import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Auth, AuthContext } from '../../common/auth-context';
import { AccountsService } from './accounts.service';

@ApiTags('accounts')
@ApiBearerAuth()
@Controller('api/accounts')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  /** The clients of the caller's center (staff only), to choose room members. */
  @Get('clients')
  clients(@Auth() auth: AuthContext) {
    return this.accounts.listClients(auth);
  }

  @Get('staff')
  staff(@Auth() auth: AuthContext) {
    return this.accounts.listStaff(auth);
  }
}
