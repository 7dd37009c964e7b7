import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Center } from './center.entity';
import { CenterListController } from './center-list.controller';
import { CentersController } from './centers.controller';
import { CentersRepository } from './centers.repository';
import { CentersService } from './centers.service';

@Module({
  imports: [TypeOrmModule.forFeature([Center])],
  controllers: [CenterListController, CentersController],
  providers: [CentersService, CentersRepository],
  exports: [CentersService],
})
export class CentersModule {}
