import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../../common/auth-context';
import { CentersService } from './centers.service';

@ApiTags('centers')
@Controller('api/centers')
export class CenterListController {
  constructor(private readonly centers: CentersService) {}

  /** Public: `[{ slug, name }]` of every center, for the portal's `GET /` (one center → its page, several → this list). */
  @Public()
  @Get()
  @ApiOkResponse({ description: 'Every center of the installation: `[{ slug, name }]`, by name.' })
  list() {
    return this.centers.list();
  }
}
