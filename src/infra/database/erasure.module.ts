import { Module } from '@nestjs/common';
import { ErasureService } from './erasure.service';

/** ErasureService for the features that delete personal data. */
@Module({ providers: [ErasureService], exports: [ErasureService] })
export class ErasureModule {}
