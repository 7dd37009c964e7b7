import { Body, Controller, Get, Param, Patch, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Auth, AuthContext, requireRole } from '../../common/auth-context';
import { errors } from '../../common/errors';
import { AuthGuard } from '../auth/auth.guard';
import { Center } from './center.entity';
import { CentersService } from './centers.service';
import { CenterSettingsDto } from './dto/center-settings.dto';

const publicView = (c: Center) => ({
  slug: c.slug,
  name: c.name,
  privacyText: c.privacyText,
  emergencyText: c.emergencyText,
  openingHours: c.openingHours ?? [],
  timeZone: c.timeZone,
  quickExitUrl: c.quickExitUrl,
});

@ApiTags('centers')
@Controller('api/centers/:center')
export class CentersController {
  constructor(private readonly centers: CentersService) {}

  /** What the widget shows before a chat: name, privacy text, opening hours, crisis lines, quick-exit page. */
  @Get()
  async info(@Param('center') slug: string) {
    return publicView(await this.centers.bySlug(slug));
  }

  @Get('settings')
  @UseGuards(AuthGuard)
  @ApiBearerAuth()
  async settings(@Auth() auth: AuthContext, @Param('center') slug: string) {
    return settingsView(await this.adminCenter(auth, slug));
  }

  @Patch('settings')
  @UseGuards(AuthGuard)
  @ApiBearerAuth()
  async update(@Auth() auth: AuthContext, @Param('center') slug: string, @Body() dto: CenterSettingsDto) {
    const center = await this.adminCenter(auth, slug);
    return settingsView(await this.centers.updateSettings(center.id, dto));
  }

  private async adminCenter(auth: AuthContext, slug: string): Promise<Center> {
    requireRole(auth, 'admin');
    const center = await this.centers.bySlug(slug);
    if (center.id !== auth.centerId) throw errors.forbidden();
    return center;
  }
}

function settingsView(c: Center) {
  return {
    liveWaitingLimit: c.liveWaitingLimit,
    liveMaxWaitMinutes: c.liveMaxWaitMinutes,
    shiftGraceSeconds: c.shiftGraceSeconds,
    keepLiveTranscripts: c.keepLiveTranscripts,
    transcriptRetentionDays: c.transcriptRetentionDays,
    keepTopicTranscripts: c.keepTopicTranscripts,
    openingHours: c.openingHours ?? [],
    timeZone: c.timeZone,
    privacyText: c.privacyText,
    emergencyText: c.emergencyText,
    widgetOrigins: c.widgetOrigins ?? [],
    liveHandover: c.liveHandover,
    liveBlockHours: c.liveBlockHours,
    liveWaitingPerAddress: c.liveWaitingPerAddress,
    quickExitUrl: c.quickExitUrl,
  };
}
