import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ErasureModule } from '../../infra/database/erasure.module';
import { TokensModule } from '../auth/tokens.module';
import { CentersModule } from '../centers/centers.module';
import { CryptoModule } from '../crypto/crypto.module';
import { Account } from './account.entity';
import { AccountsController } from './accounts.controller';
import { AccountsRepository } from './accounts.repository';
import { AccountsService } from './accounts.service';
import { PasswordService } from './password.service';
import { StaffRemovalService } from './staff-removal.service';

@Module({
  imports: [TypeOrmModule.forFeature([Account]), CentersModule, CryptoModule, ErasureModule, TokensModule],
  controllers: [AccountsController],
  providers: [AccountsService, AccountsRepository, PasswordService, StaffRemovalService],
  exports: [AccountsService, PasswordService, StaffRemovalService],
})
export class AccountsModule {}
