import { Global, Module } from '@nestjs/common';
import { Transactions } from './transactions';

/** `Transactions` for every module: imported by DatabaseModule, and by the CLI, which opens TypeORM without DatabaseModule's SQLite lock. */
@Global()
@Module({ providers: [Transactions], exports: [Transactions] })
export class TransactionsModule {}
