import type { PersonRef, ThreadDetail, ThreadListItem } from './thread-types';

/**
 * A counselor's clients: the clients who are members of a thread with them (the design's
 * "isClientOf"), by pseudonym, each once, sorted. Read from the counselor's own threads, so the
 * picker never offers someone the server would refuse.
 */
export async function myClients(call: <T>(path: string) => Promise<T>): Promise<PersonRef[]> {
  const threads = await call<ThreadListItem[]>('/api/threads');
  const details = await Promise.all(threads.map((th) => call<ThreadDetail>(`/api/threads/${encodeURIComponent(th.id)}`).catch(() => null)));
  const found = new Map<string, PersonRef>();
  for (const d of details) {
    for (const m of d?.members ?? []) {
      if (m.role === 'client' && m.id && m.displayName && !m.deleted) found.set(m.id, { id: m.id, displayName: m.displayName });
    }
  }
  return [...found.values()].sort((a, b) => a.displayName.localeCompare(b.displayName));
}
