import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Auth, AuthContext } from '../../common/auth-context';
import { NoteBodyDto } from './dto/note.dto';
import { NotesService } from './notes.service';

/**
 * A counselor's private notes `[{ id, body, createdAt, updatedAt }]`, about a client of theirs,
 * about a thread they counsel in or about one of their video rooms. Only the author ever reads them; anyone else gets NOT_FOUND.
 */
@ApiTags('notes')
@ApiBearerAuth()
@Controller('api')
export class NotesController {
  constructor(private readonly notes: NotesService) {}

  @Get('clients/:clientId/notes')
  listAboutClient(@Auth() auth: AuthContext, @Param('clientId') clientId: string) {
    return this.notes.listAboutClient(auth, clientId);
  }

  @Post('clients/:clientId/notes')
  createAboutClient(@Auth() auth: AuthContext, @Param('clientId') clientId: string, @Body() dto: NoteBodyDto) {
    return this.notes.createAboutClient(auth, clientId, dto);
  }

  @Get('threads/:id/notes')
  listAboutThread(@Auth() auth: AuthContext, @Param('id') id: string) {
    return this.notes.listAboutThread(auth, id);
  }

  @Post('threads/:id/notes')
  createAboutThread(@Auth() auth: AuthContext, @Param('id') id: string, @Body() dto: NoteBodyDto) {
    return this.notes.createAboutThread(auth, id, dto);
  }

  @Get('video-rooms/:id/notes')
  listAboutVideoRoom(@Auth() auth: AuthContext, @Param('id') id: string) {
    return this.notes.listAboutVideoRoom(auth, id);
  }

  @Post('video-rooms/:id/notes')
  createAboutVideoRoom(@Auth() auth: AuthContext, @Param('id') id: string, @Body() dto: NoteBodyDto) {
    return this.notes.createAboutVideoRoom(auth, id, dto);
  }

  @Patch('video-rooms/:id/notes/:noteId')
  updateAboutVideoRoom(@Auth() auth: AuthContext, @Param('id') id: string, @Param('noteId') noteId: string, @Body() dto: NoteBodyDto) {
    return this.notes.updateAboutVideoRoom(auth, id, noteId, dto);
  }

  @Delete('video-rooms/:id/notes/:noteId')
  @HttpCode(204)
  removeAboutVideoRoom(@Auth() auth: AuthContext, @Param('id') id: string, @Param('noteId') noteId: string) {
    return this.notes.deleteAboutVideoRoom(auth, id, noteId);
  }

  @Patch('notes/:id')
  update(@Auth() auth: AuthContext, @Param('id') id: string, @Body() dto: NoteBodyDto) {
    return this.notes.update(auth, id, dto);
  }

  @Delete('notes/:id')
  @HttpCode(204)
  remove(@Auth() auth: AuthContext, @Param('id') id: string) {
    return this.notes.delete(auth, id);
  }
}
