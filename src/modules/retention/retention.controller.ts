import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Auth, AuthContext } from '../../common/auth-context';
import { RetentionService } from './retention.service';

@ApiTags('admin')
@ApiBearerAuth()
@Controller('api/admin/retention')
export class RetentionController {
  constructor(private readonly retention: RetentionService) {}

  /** Admin: what the retention sweep deletes within the next 7 and 30 days (counts, dates, pseudonyms; never content). */
  @Get()
  overview(@Auth() auth: AuthContext) {
    return this.retention.overview(auth);
  }
}
