import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Auth, AuthContext, Public } from '../../common/auth-context';
import { CreateTopicChatDto, UpdateTopicChatDto } from './dto/topic-chats.dto';
import { TopicChatsService } from './topic-chats.service';

@ApiTags('topic-chats')
@Controller('api/centers/:center/topic-chats')
export class TopicChatsController {
  constructor(private readonly topics: TopicChatsService) {}

  /** Public: `[{ id, title, description, startsAt, endsAt, status }]`. */
  @Public()
  @Get()
  list(@Param('center') center: string) {
    return this.topics.list(center);
  }

  @Post()
  @ApiBearerAuth()
  create(@Auth() auth: AuthContext, @Body() dto: CreateTopicChatDto) {
    return this.topics.create(auth, dto);
  }

  @Patch(':id')
  @ApiBearerAuth()
  update(@Auth() auth: AuthContext, @Param('id') id: string, @Body() dto: UpdateTopicChatDto) {
    return this.topics.update(auth, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiBearerAuth()
  cancel(@Auth() auth: AuthContext, @Param('id') id: string) {
    return this.topics.cancel(auth, id);
  }
}
