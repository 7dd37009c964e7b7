/**
 * The video room of a booked `video` appointment (issue 13; implemented by the video module).
 *
 * Register the implementation in the AppointmentPorts registry exported by AppointmentsModule, in
 * the implementing provider's `onModuleInit()`: `this.ports.register(APPOINTMENT_VIDEO, this)`
 * (the ThreadPorts pattern, see threads/post-documents.port.ts). Until one registers, appointments
 * carry no video room (NO_APPOINTMENT_VIDEO).
 *
 * Called after the booking's commit (outside its transaction): create or reuse the counselor's room
 * for that client and invite the client; return the room's id (stored as the appointment's
 * `videoRoomId`) or null. A failure is logged and leaves the appointment without a room.
 */
export const APPOINTMENT_VIDEO = 'appointments.video';

export interface AppointmentVideo {
  roomFor(centerId: string, counselorId: string, clientId: string): Promise<string | null>;
}

/** The default while no video module registered: no room. */
export const NO_APPOINTMENT_VIDEO: AppointmentVideo = {
  roomFor() {
    return Promise.resolve(null);
  },
};
