import { Module } from '@nestjs/common';
import { AppointmentPorts } from './appointment-ports';

/**
 * Appointments (issue 13): counselors' slots (single or weekly series), clients book one, either
 * side cancels, .ics download. Exports AppointmentPorts, where the video module plugs in
 * (appointment-video.port.ts).
 */
@Module({
  providers: [AppointmentPorts],
  exports: [AppointmentPorts],
})
export class AppointmentsModule {}
