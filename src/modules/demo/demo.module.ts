import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { CentersModule } from '../centers/centers.module';
import { DemoService } from './demo.service';

@Module({ imports: [CentersModule, AccountsModule], providers: [DemoService] })
export class DemoModule {}
