/** The one place that names Socket.IO rooms. Every name carries its scope; ids are uuids. */
export const roomFor = {
  /** All sockets of a center (staff broadcasts). */
  center: (centerId: string): string => `c:${centerId}`,
  /** Counselors of a center who are on shift. */
  onShift: (centerId: string): string => `c:${centerId}:shift`,
  /** Members' sockets that joined a chat room (live, topic, direct or group). */
  chat: (roomId: string): string => `r:${roomId}`,
  /** Every open session of one account or visitor. */
  subject: (subjectId: string): string => `s:${subjectId}`,
  /** The sockets opened with one token (closed at once when it is revoked). */
  token: (tokenHash: string): string => `t:${tokenHash}`,
};
