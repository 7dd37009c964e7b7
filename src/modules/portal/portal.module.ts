import { Module } from '@nestjs/common';
import { CentersModule } from '../centers/centers.module';
import { PortalController } from './portal.controller';
import { PortalService } from './portal.service';

@Module({ imports: [CentersModule], controllers: [PortalController], providers: [PortalService] })
export class PortalModule {}
