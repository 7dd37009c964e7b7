import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Auth, AuthContext } from '../../common/auth-context';
import { AbsencesService } from './absences.service';
import { CenterNoticeDto, SetAbsenceDto } from './dto/absence.dto';

/** The absence assistant: a counselor's own absence, and the admin's list of who is away. */
@ApiTags('absences')
@ApiBearerAuth()
@Controller('api')
export class AbsencesController {
  constructor(private readonly absences: AbsencesService) {}

  /** The caller's own absence: `{ absence: { startsAt, endsAt, text, active } | null }` (staff). */
  @Get('absence')
  mine(@Auth() auth: AuthContext) {
    return this.absences.mine(auth);
  }

  /** Sets (or replaces) the caller's absence `{ startsAt, endsAt, text }` → `{ absence }`. */
  @Put('absence')
  set(@Auth() auth: AuthContext, @Body() dto: SetAbsenceDto) {
    return this.absences.set(auth, dto);
  }

  /** Ends the caller's absence at once (none: nothing to do). */
  @Delete('absence')
  @HttpCode(204)
  clear(@Auth() auth: AuthContext) {
    return this.absences.clear(auth);
  }

  /** Admin: who is away now or next, with dates and text, the soonest first. */
  @Get('absences')
  list(@Auth() auth: AuthContext) {
    return this.absences.list(auth);
  }

  /** Admin, only while the thread's counselor is absent: a notice from the center `{ body }` → `201 { id, seq }`. */
  @Post('threads/:id/notices')
  notice(@Auth() auth: AuthContext, @Param('id') id: string, @Body() dto: CenterNoticeDto) {
    return this.absences.postNotice(auth, id, dto);
  }
}
