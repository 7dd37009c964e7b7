import { Store } from '../../lib/store';
import { joinLink, type ConsentView, type InvitedRoomView, type InviteView, type JoinAnswer, type VideoRoomCreated, type VideoRoomView } from './video-types';

/** An authenticated REST call (PortalSession.call); rejects with an error that carries `code` (and `fields`). */
export type RestCall = <T>(path: string, init?: { method?: string; body?: unknown }) => Promise<T>;

/** What a step came to: done, or refused with the server's code and the fields it named. */
export type Outcome<T = undefined> = { ok: true; value: T } | { ok: false; code: string; fields: string[] };

/** What a join came to: the address to open, the consent to confirm first, or a refusal. */
export type JoinOutcome = { kind: 'open'; link: string } | { kind: 'consent'; consent: ConsentView } | { kind: 'refused'; code: string };

export interface VideoState {
  /** A counselor's rooms, oldest first as the server lists them; null while loading (or for a client). */
  rooms: VideoRoomView[] | null;
  /** A client's invitations; null while loading (or for a counselor). */
  invited: InvitedRoomView[] | null;
  /** Why the list could not be loaded (VIDEO_NOT_CONFIGURED: the center has no video server). */
  listError: string | null;
}

export interface VideoSessionOptions {
  call: RestCall;
  role: 'counselor' | 'client';
  /** The center's slug (the consent text is read from the center's public route). */
  center: string;
}

const enc = encodeURIComponent;

export function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'INTERNAL';
}

export function fieldsOf(err: unknown): string[] {
  const fields = (err as { fields?: unknown } | null)?.fields;
  return Array.isArray(fields) ? fields.filter((f): f is string => typeof f === 'string') : [];
}

const refused = (err: unknown): { ok: false; code: string; fields: string[] } => ({ ok: false, code: codeOf(err), fields: fieldsOf(err) });

/** A join refused because the consent is missing or outdated (the server names the field). */
const wantsConsent = (err: unknown) => codeOf(err) === 'VALIDATION_FAILED' && fieldsOf(err).includes('consentVersion');

/**
 * The video rooms of one signed-in person, framework-free. A counselor's rooms (create, rename,
 * invite and remove clients, the guest link renewed or removed, delete, join) and a client's
 * invitations (join; the consent text asked for when the server wants it: before the first
 * session and after the center wrote a new version). Every change is answered by the server's
 * list, the truth. Nothing here opens a window: the page opens the link on the person's click.
 */
export class VideoSession extends Store<VideoState> {
  state: VideoState = { rooms: null, invited: null, listError: null };
  private destroyed = false;
  private loading: Promise<void> | null = null;
  private again = false;

  constructor(private readonly options: VideoSessionOptions) {
    super();
    void this.reload();
  }

  /** Loads the list again (one load at a time; a request during one loads once more after it). */
  reload(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = (async () => {
      do {
        this.again = false;
        try {
          if (this.options.role === 'counselor') {
            const rooms = await this.options.call<VideoRoomView[]>('/api/video-rooms');
            if (!this.destroyed) this.set({ rooms, listError: null });
          } else {
            const invited = await this.options.call<InvitedRoomView[]>('/api/video-rooms');
            if (!this.destroyed) this.set({ invited, listError: null });
          }
        } catch (err) {
          if (!this.destroyed) this.set({ listError: codeOf(err) });
        }
      } while (this.again && !this.destroyed);
      this.loading = null;
    })();
    return this.loading;
  }

  room(id: string): VideoRoomView | null {
    return this.state.rooms?.find((r) => r.id === id) ?? null;
  }

  /** A new room (name trimmed; empty is refused here as the server would: field `name`). */
  create(name: string): Promise<Outcome<VideoRoomCreated>> {
    const trimmed = name.trim();
    if (!trimmed) return Promise.resolve({ ok: false, code: 'VALIDATION_FAILED', fields: ['name'] });
    return this.step(() => this.options.call<VideoRoomCreated>('/api/video-rooms', { method: 'POST', body: { name: trimmed } }));
  }

  rename(id: string, name: string): Promise<Outcome> {
    const trimmed = name.trim();
    if (!trimmed) return Promise.resolve({ ok: false, code: 'VALIDATION_FAILED', fields: ['name'] });
    return this.done(() => this.options.call(`/api/video-rooms/${enc(id)}`, { method: 'PATCH', body: { name: trimmed } }));
  }

  remove(id: string): Promise<Outcome> {
    return this.done(() => this.options.call(`/api/video-rooms/${enc(id)}`, { method: 'DELETE' }));
  }

  /** A new guest link; the old one stops working at once. */
  renewLink(id: string): Promise<Outcome<string>> {
    return this.step(async () => (await this.options.call<{ inviteUrl: string }>(`/api/video-rooms/${enc(id)}/invite-link`, { method: 'POST' })).inviteUrl);
  }

  /** No guest link any more (guests who have it can no longer join). */
  removeLink(id: string): Promise<Outcome> {
    return this.done(() => this.options.call(`/api/video-rooms/${enc(id)}/invite-link`, { method: 'DELETE' }));
  }

  invite(id: string, clientId: string): Promise<Outcome> {
    return this.done(() => this.options.call(`/api/video-rooms/${enc(id)}/clients`, { method: 'POST', body: { clientId } }));
  }

  uninvite(id: string, clientId: string): Promise<Outcome> {
    return this.done(() => this.options.call(`/api/video-rooms/${enc(id)}/clients/${enc(clientId)}`, { method: 'DELETE' }));
  }

  /**
   * Asks for the room's address. A client without a confirmation of the current consent version
   * gets `consent` (the text to show in full); `consentVersion` sends the confirmation along.
   */
  async join(id: string, consentVersion?: number): Promise<JoinOutcome> {
    try {
      const body = consentVersion === undefined ? {} : { consentVersion };
      const answer = await this.options.call<JoinAnswer>(`/api/video-rooms/${enc(id)}/join`, { method: 'POST', body });
      return { kind: 'open', link: joinLink(answer) };
    } catch (err) {
      if (!wantsConsent(err)) return { kind: 'refused', code: codeOf(err) };
      try {
        return { kind: 'consent', consent: await this.options.call<ConsentView>(`/api/centers/${enc(this.options.center)}/video-consent`) };
      } catch (again) {
        return { kind: 'refused', code: codeOf(again) };
      }
    }
  }

  destroy(): void {
    this.destroyed = true;
  }

  private async step<T>(work: () => Promise<T>): Promise<Outcome<T>> {
    try {
      const value = await work();
      await this.reload();
      return { ok: true, value };
    } catch (err) {
      // the room may be gone (deleted in another tab): the list says so
      if (codeOf(err) === 'NOT_FOUND') await this.reload();
      return refused(err);
    }
  }

  private async done(work: () => Promise<unknown>): Promise<Outcome> {
    const r = await this.step(work);
    return r.ok ? { ok: true, value: undefined } : r;
  }
}

/** A fetch without a token (the guest's two calls). */
export type PublicCall = <T>(path: string, init?: { method?: string; body?: unknown }) => Promise<T>;

export interface GuestState {
  invite: InviteView | null;
  /** NOT_FOUND: the link is unknown, renewed or its room deleted; VIDEO_NOT_CONFIGURED; NETWORK … */
  error: string | null;
  loading: boolean;
}

/**
 * A guest with an invite link. The token comes from the address's fragment (never sent to a
 * server by the browser) and goes only to the two invite routes.
 */
export class GuestInvite extends Store<GuestState> {
  state: GuestState = { invite: null, error: null, loading: true };

  constructor(
    private readonly token: string,
    private readonly call: PublicCall,
  ) {
    super();
    if (!token) this.state = { invite: null, error: 'NOT_FOUND', loading: false };
    else void this.load();
  }

  async load(): Promise<void> {
    if (!this.token) return;
    this.set({ loading: true });
    try {
      this.set({ invite: await this.call<InviteView>(`/api/video-invites/${enc(this.token)}`), error: null, loading: false });
    } catch (err) {
      this.set({ invite: null, error: codeOf(err), loading: false });
    }
  }

  /**
   * Joins with a display name and the confirmation of the shown consent version. Refused as
   * outdated (the center wrote a new text meanwhile): the invite is read again, so the new text is
   * shown to confirm, and the outcome says `consent`.
   */
  async join(displayName: string, confirmed: boolean): Promise<JoinOutcome | { kind: 'invalid'; fields: string[] }> {
    const invite = this.state.invite;
    const name = displayName.trim();
    const fields = [...(name ? [] : ['displayName']), ...(confirmed ? [] : ['consentVersion'])];
    if (!invite || fields.length > 0) return { kind: 'invalid', fields };
    try {
      const answer = await this.call<JoinAnswer>(`/api/video-invites/${enc(this.token)}/join`, {
        method: 'POST',
        body: { displayName: name, consentVersion: invite.consent.version },
      });
      return { kind: 'open', link: joinLink(answer) };
    } catch (err) {
      if (wantsConsent(err)) {
        await this.load();
        const fresh = this.state.invite;
        if (fresh && fresh.consent.version !== invite.consent.version) return { kind: 'consent', consent: fresh.consent };
      }
      if (codeOf(err) === 'VALIDATION_FAILED') return { kind: 'invalid', fields: fieldsOf(err) };
      if (codeOf(err) === 'NOT_FOUND') this.set({ invite: null, error: 'NOT_FOUND' });
      return { kind: 'refused', code: codeOf(err) };
    }
  }
}

/** The token of an invite address: its fragment without `#` (trimmed; nothing else is read). */
export function tokenFromHash(hash: string): string {
  const raw = hash.replace(/^#/, '').trim();
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** The admin's consent text: the current version, and a save that makes a new version. */
export const consentApi = {
  load: (call: PublicCall, center: string) => call<ConsentView>(`/api/centers/${enc(center)}/video-consent`),
  async save(call: RestCall, text: string): Promise<Outcome<number>> {
    if (!text.trim()) return { ok: false, code: 'VALIDATION_FAILED', fields: ['text'] };
    try {
      return { ok: true, value: (await call<{ version: number }>('/api/admin/video-consent', { method: 'PUT', body: { text } })).version };
    } catch (err) {
      return refused(err);
    }
  },
};
