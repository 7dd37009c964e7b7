import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TokensModule } from '../auth/tokens.module';
import { Center } from './center.entity';
import { CentersController } from './centers.controller';
import { CentersRepository } from './centers.repository';
import { CentersService } from './centers.service';

@Module({
  imports: [TypeOrmModule.forFeature([Center]), TokensModule],
  controllers: [CentersController],
  providers: [CentersService, CentersRepository],
  exports: [CentersService],
})
export class CentersModule {}
