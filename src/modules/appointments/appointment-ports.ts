import { Injectable } from '@nestjs/common';
import { APPOINTMENT_VIDEO, AppointmentVideo, NO_APPOINTMENT_VIDEO } from './appointment-video.port';

export interface AppointmentPortMap {
  [APPOINTMENT_VIDEO]: AppointmentVideo;
}
export type AppointmentPortToken = keyof AppointmentPortMap;

/**
 * What other modules plug into appointments: modules that depend on AppointmentsModule (video)
 * register their implementation here in `onModuleInit`, so the appointments module never imports
 * them (no cycle, no forwardRef). Each port has a no-op default.
 */
@Injectable()
export class AppointmentPorts {
  private readonly impls: AppointmentPortMap = {
    [APPOINTMENT_VIDEO]: NO_APPOINTMENT_VIDEO,
  };

  register<K extends AppointmentPortToken>(token: K, impl: AppointmentPortMap[K]): void {
    this.impls[token] = impl;
  }

  get<K extends AppointmentPortToken>(token: K): AppointmentPortMap[K] {
    return this.impls[token];
  }
}
