import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Auth, AuthContext } from '../../common/auth-context';
import { RoomsService } from './rooms.service';

@ApiTags('rooms')
@ApiBearerAuth()
@Controller('api/rooms')
export class RoomsController {
  constructor(private readonly rooms: RoomsService) {}

  /** The caller's rooms with unread counts (`lastSeq - lastReadSeq`). */
  @Get()
  list(@Auth() auth: AuthContext) {
    return this.rooms.listMine(auth);
  }

  /** Who is in the room (members; in live and topic chats staff only). */
  @Get(':id/members')
  members(@Auth() auth: AuthContext, @Param('id') id: string) {
    return this.rooms.members(auth, id);
  }

  /** Deletes a 1:1 or group room and its messages for good (its counselor or an admin). */
  @Delete(':id')
  @HttpCode(204)
  async remove(@Auth() auth: AuthContext, @Param('id') id: string) {
    await this.rooms.deleteRoom(auth, id);
  }
}
