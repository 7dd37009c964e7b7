import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Auth, AuthContext } from '../../common/auth-context';
import { AuthGuard } from '../auth/auth.guard';
import { CreateTopicChatDto, UpdateTopicChatDto } from './dto/topic-chats.dto';
import { TopicChatsService } from './topic-chats.service';

@ApiTags('topic-chats')
@Controller('api/centers/:center/topic-chats')
export class TopicChatsController {
  constructor(private readonly topics: TopicChatsService) {}

  /** Public: `[{ id, title, description, startsAt, endsAt, status }]`. */
  @Get()
  list(@Param('center') center: string) {
    return this.topics.list(center);
  }

  @Post()
  @UseGuards(AuthGuard)
  @ApiBearerAuth()
  create(@Auth() auth: AuthContext, @Param('center') center: string, @Body() dto: CreateTopicChatDto) {
    return this.topics.create(auth, center, dto);
  }

  @Patch(':id')
  @UseGuards(AuthGuard)
  @ApiBearerAuth()
  update(@Auth() auth: AuthContext, @Param('center') center: string, @Param('id') id: string, @Body() dto: UpdateTopicChatDto) {
    return this.topics.update(auth, center, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @UseGuards(AuthGuard)
  @ApiBearerAuth()
  cancel(@Auth() auth: AuthContext, @Param('center') center: string, @Param('id') id: string) {
    return this.topics.cancel(auth, center, id);
  }
}
