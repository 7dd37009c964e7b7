import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Auth, AuthContext } from '../../common/auth-context';
import { AppointmentsService } from './appointments.service';
import { BookSlotDto, CreateSlotsDto, FreeSlotsQueryDto } from './dto/appointments.dto';
import { SlotsService } from './slots.service';

/** Appointment slots (counselors), booking (clients), the appointments of either side, .ics. */
@ApiTags('appointments')
@ApiBearerAuth()
@Controller('api')
export class AppointmentsController {
  constructor(
    private readonly slots: SlotsService,
    private readonly appointments: AppointmentsService,
  ) {}

  @Post('slots')
  @ApiOperation({ summary: 'Counselor: offer a slot, or a weekly series (`weeks`) on the same local wall time → 201 { id, ids }' })
  createSlots(@Auth() auth: AuthContext, @Body() dto: CreateSlotsDto) {
    return this.slots.create(auth, dto);
  }

  @Get('slots')
  @ApiOperation({ summary: 'Counselor: their own slots that have not ended, the soonest first' })
  ownSlots(@Auth() auth: AuthContext) {
    return this.slots.listOwn(auth);
  }

  @Delete('slots/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Counselor: delete a free slot of theirs (booked: 409, cancel the appointment first)' })
  deleteSlot(@Auth() auth: AuthContext, @Param('id') id: string) {
    return this.slots.delete(auth, id);
  }

  @Get('centers/:center/slots')
  @ApiOperation({ summary: 'Client: free future slots of active counselors (at most 200), the soonest first' })
  freeSlots(@Auth() auth: AuthContext, @Query() q: FreeSlotsQueryDto) {
    return this.slots.listFree(auth, q.counselorId);
  }

  @Post('slots/:id/book')
  @ApiOperation({ summary: 'Client: book a free slot in one of its forms → 201 { appointmentId }; taken or begun: 409' })
  book(@Auth() auth: AuthContext, @Param('id') id: string, @Body() dto: BookSlotDto) {
    return this.appointments.book(auth, id, dto);
  }

  @Get('appointments')
  @ApiOperation({ summary: 'Client or counselor: their appointments (booked; cancelled until their end), the soonest first' })
  list(@Auth() auth: AuthContext) {
    return this.appointments.list(auth);
  }

  @Delete('appointments/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Client or counselor: cancel the appointment (the other side is told)' })
  cancel(@Auth() auth: AuthContext, @Param('id') id: string) {
    return this.appointments.cancel(auth, id);
  }

  @Get('appointments/:id/ics')
  @ApiOperation({ summary: 'Client or counselor: the appointment as an iCalendar file (RFC 5545)' })
  @ApiProduces('text/calendar')
  @Header('Content-Type', 'text/calendar; charset=utf-8')
  @Header('Content-Disposition', 'attachment; filename="lotse-appointment.ics"')
  @Header('Cache-Control', 'no-store')
  ics(@Auth() auth: AuthContext, @Param('id') id: string) {
    return this.appointments.ics(auth, id);
  }
}
