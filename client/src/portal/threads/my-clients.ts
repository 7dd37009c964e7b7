import type { PersonRef } from './thread-types';

/**
 * A counselor's clients (`GET /api/threads/clients`): the clients of their threads and the clients
 * assigned to them (booking, crisis contact, admin) — exactly those the server's `isClientOf`
 * accepts, so the pickers never offer someone the server would refuse. Sorted by pseudonym.
 */
export function myClients(call: <T>(path: string) => Promise<T>): Promise<PersonRef[]> {
  return call<PersonRef[]>('/api/threads/clients');
}
