import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '../accounts/accounts.module';
import { CentersModule } from '../centers/centers.module';
import { ClientCounselorsModule } from '../client-counselors/client-counselors.module';
import { AppointmentErasureService } from './appointment-erasure.service';
import { AppointmentNotifier } from './appointment-notifier.service';
import { AppointmentPorts } from './appointment-ports';
import { Appointment } from './appointment.entity';
import { AppointmentsController } from './appointments.controller';
import { AppointmentsRepository } from './appointments.repository';
import { AppointmentsService } from './appointments.service';
import { Slot } from './slot.entity';
import { SlotsService } from './slots.service';

/**
 * Appointments (issue 13): counselors' slots (single or weekly series), clients book one, either
 * side cancels, .ics download. Exports AppointmentPorts, where the video module plugs in
 * (appointment-video.port.ts).
 */
@Module({
  imports: [TypeOrmModule.forFeature([Slot, Appointment]), AccountsModule, CentersModule, ClientCounselorsModule],
  controllers: [AppointmentsController],
  providers: [AppointmentsRepository, SlotsService, AppointmentsService, AppointmentNotifier, AppointmentErasureService, AppointmentPorts],
  exports: [AppointmentPorts],
})
export class AppointmentsModule {}
