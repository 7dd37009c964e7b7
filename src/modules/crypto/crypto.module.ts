import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CryptoService } from './crypto.service';
import { DataKey } from './data-key.entity';
import { DataKeyRepository } from './data-key.repository';

@Module({
  imports: [TypeOrmModule.forFeature([DataKey])],
  providers: [CryptoService, DataKeyRepository],
  exports: [CryptoService],
})
export class CryptoModule {}
