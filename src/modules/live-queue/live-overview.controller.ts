import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Auth, AuthContext } from '../../common/auth-context';
import { LiveOverviewService } from './live-overview.service';

@ApiTags('live-chat')
@ApiBearerAuth()
@Controller('api/centers/:center/live/overview')
export class LiveOverviewController {
  constructor(private readonly overview: LiveOverviewService) {}

  /** The admin's overview: `{ waiting, counselors: [{ id, displayName, onShift, chats, maxChats, away }] }` (no content). */
  @Get()
  get(@Auth() auth: AuthContext) {
    return this.overview.overview(auth);
  }
}
