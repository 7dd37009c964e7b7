import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ErasureModule } from '../../infra/database/erasure.module';
import { CryptoModule } from '../crypto/crypto.module';
import { Account } from './account.entity';
import { AccountsController } from './accounts.controller';
import { AccountsRepository } from './accounts.repository';
import { AccountsService } from './accounts.service';
import { PasswordService } from './password.service';

@Module({
  imports: [TypeOrmModule.forFeature([Account]), CryptoModule, ErasureModule],
  controllers: [AccountsController],
  providers: [AccountsService, AccountsRepository, PasswordService],
  exports: [AccountsService, PasswordService],
})
export class AccountsModule {}
