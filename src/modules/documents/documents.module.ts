import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CentersModule } from '../centers/centers.module';
import { CryptoModule } from '../crypto/crypto.module';
import { ThreadsModule } from '../threads/threads.module';
import { DocumentChunk } from './document-chunk.entity';
import { DocumentQuota } from './document-quota.entity';
import { Document } from './document.entity';
import { DocumentsController } from './documents.controller';
import { DocumentsRepository } from './documents.repository';
import { DocumentsService } from './documents.service';
import { ScratchDir } from './scratch-file';

/**
 * PDFs in threads (issue 12), encrypted at rest in the database. Depends on ThreadsModule and
 * plugs into it through the POST_DOCUMENTS port (threads never imports documents).
 */
@Module({
  imports: [TypeOrmModule.forFeature([Document, DocumentChunk, DocumentQuota]), ThreadsModule, CentersModule, CryptoModule],
  controllers: [DocumentsController],
  providers: [DocumentsRepository, DocumentsService, ScratchDir],
})
export class DocumentsModule {}
