import { Controller, Get, Header, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Auth, AuthContext } from '../../common/auth-context';
import { StatsQueryDto } from './dto/stats-query.dto';
import { StatsService } from './stats.service';

/** Statistics for funders (docs/portal/stats.md): counts only, small counts as "< 3". */
@ApiTags('stats')
@ApiBearerAuth()
@ApiParam({ name: 'center', description: 'The center’s slug (the caller’s own center)' })
@Controller('api/centers/:center')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Get('stats')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'The center’s statistics per day or week (admin)',
    description:
      'Counts of the center’s local days: live chats started and refused (full, closed), waiting times (median, 90th percentile) and chat durations (median) in seconds from fixed buckets, topic chats and participants, enquiries, posts, appointments by contact form, video sessions. A count of 1 or 2 is "< 3"; a median of fewer than 3 values is null. Never an id, a name or a text.',
  })
  @ApiOkResponse({ description: '`{ timeZone, by, from, to, days: [{ date, liveStarted, …, appointments: { video, chat, mail, phone }, videoSessions }] }`' })
  report(@Auth() auth: AuthContext, @Query() q: StatsQueryDto) {
    return this.stats.report(auth, q);
  }

  @Get('stats.csv')
  @Header('Cache-Control', 'no-store')
  @Header('X-Content-Type-Options', 'nosniff')
  @ApiOperation({ summary: 'The same statistics as a CSV download (admin)', description: 'One header line, then one line per day or week (RFC 4180, CRLF).' })
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: '`text/csv; charset=utf-8`, `Content-Disposition: attachment`' })
  async csv(@Auth() auth: AuthContext, @Query() q: StatsQueryDto): Promise<StreamableFile> {
    const { text, filename } = await this.stats.csv(auth, q);
    return new StreamableFile(Buffer.from(text, 'utf8'), { type: 'text/csv; charset=utf-8', disposition: `attachment; filename="${filename}"` });
  }
}
