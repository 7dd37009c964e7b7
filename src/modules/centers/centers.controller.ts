import { Body, Controller, Get, Param, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Auth, AuthContext, Public } from '../../common/auth-context';
import { CentersService } from './centers.service';
import { CenterSettingsDto } from './dto/center-settings.dto';

@ApiTags('centers')
@Controller('api/centers/:center')
export class CentersController {
  constructor(private readonly centers: CentersService) {}

  /** What the widget shows before a chat: name, privacy text, opening hours, crisis lines, quick-exit page. */
  @Public()
  @Get()
  info(@Param('center') slug: string) {
    return this.centers.publicInfo(slug);
  }

  /** The center's settings (its admin). */
  @Get('settings')
  @ApiBearerAuth()
  settings(@Auth() auth: AuthContext) {
    return this.centers.settings(auth);
  }

  @Patch('settings')
  @ApiBearerAuth()
  update(@Auth() auth: AuthContext, @Body() dto: CenterSettingsDto) {
    return this.centers.changeSettings(auth, dto);
  }
}
