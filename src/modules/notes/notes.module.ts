import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CryptoModule } from '../crypto/crypto.module';
import { ThreadsModule } from '../threads/threads.module';
import { VideoModule } from '../video/video.module';
import { Note } from './note.entity';
import { NotesController } from './notes.controller';
import { NotesRepository } from './notes.repository';
import { NotesService } from './notes.service';

/** A counselor's private notes about their clients and threads (issue 12) and their video rooms (issue 13). */
@Module({
  imports: [TypeOrmModule.forFeature([Note]), CryptoModule, ThreadsModule, VideoModule],
  controllers: [NotesController],
  providers: [NotesRepository, NotesService],
})
export class NotesModule {}
