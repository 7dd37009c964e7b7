import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Auth, AuthContext } from '../../common/auth-context';
import { CannedResponsesService } from './canned-responses.service';
import { CreateCannedResponseDto, UpdateCannedResponseDto } from './dto/canned-response.dto';

/** The caller's own canned responses (staff): `[{ id, title, body, createdAt, updatedAt }]`. */
@ApiTags('canned-responses')
@ApiBearerAuth()
@Controller('api/canned-responses')
export class CannedResponsesController {
  constructor(private readonly canned: CannedResponsesService) {}

  @Get()
  list(@Auth() auth: AuthContext) {
    return this.canned.list(auth);
  }

  @Post()
  create(@Auth() auth: AuthContext, @Body() dto: CreateCannedResponseDto) {
    return this.canned.create(auth, dto);
  }

  @Patch(':id')
  update(@Auth() auth: AuthContext, @Param('id') id: string, @Body() dto: UpdateCannedResponseDto) {
    return this.canned.update(auth, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@Auth() auth: AuthContext, @Param('id') id: string) {
    return this.canned.delete(auth, id);
  }
}
