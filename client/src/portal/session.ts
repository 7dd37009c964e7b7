import type { AccountView, CenterPublicInfo, LoginResult } from '../../../src/realtime/contract';
import { api, ApiError, download, upload } from '../lib/api';
import { connectSocket, LotseSocket } from '../lib/socket';
import { Store } from '../lib/store';

export interface PortalAuth {
  token: string;
  account: AccountView;
}

export interface PortalState {
  /** The center's slug of the current page (null on the list of centers). */
  center: string | null;
  info: CenterPublicInfo | null;
  /** null = the center does not exist; undefined = not loaded yet. */
  infoState: 'loading' | 'ready' | 'missing';
  auth: PortalAuth | null;
  /** Why the last session ended without a logout (deactivated, deleted, expired). */
  ended: boolean;
  /** A one-time notice for the page at `path` (after an account deletion, a logout, a registration). */
  notice: PortalNotice | null;
}

export interface PortalNotice {
  key: 'accountDeleted' | 'loggedOut' | 'confirmEmailSent' | 'staffAccountDeleted';
  path: string;
}

const key = (center: string) => `lotse.portal.${center}`;

/**
 * The signed-in person of one center. The token lives in sessionStorage (this tab only, gone when
 * it closes: shared computers in youth centers and libraries), never in a cookie or a URL.
 * When the server ends the session (deactivation, deletion, a password change elsewhere) the
 * socket is dropped by the server and the page learns at once that the token is dead.
 */
export class PortalSession extends Store<PortalState> {
  state: PortalState = { center: null, info: null, infoState: 'ready', auth: null, ended: false, notice: null };
  private socketRef: LotseSocket | null = null;

  constructor(private readonly storage: Storage) {
    super();
  }

  /** Switches to a center's pages (loads its public info, restores a session of this tab). */
  async enter(center: string | null): Promise<void> {
    // the same center again (another page of it): its info is loaded or on its way
    if (center === this.state.center) return;
    this.dropSocket();
    this.set({ center, info: null, infoState: center ? 'loading' : 'ready', auth: center ? this.restore(center) : null, ended: false });
    if (!center) return;
    try {
      const info = await api<CenterPublicInfo>(`/api/centers/${encodeURIComponent(center)}`);
      if (this.state.center === center) this.set({ info, infoState: 'ready' });
    } catch (err) {
      if (this.state.center === center) this.set({ infoState: err instanceof ApiError && err.code === 'NOT_FOUND' ? 'missing' : 'ready' });
    }
    if (this.state.auth) void this.verify();
  }

  async login(login: string, password: string): Promise<AccountView> {
    const result = await api<LoginResult>('/api/auth/login', { method: 'POST', body: { center: this.requireCenter(), login, password } });
    this.signedIn(result);
    return result.account;
  }

  async register(username: string, password: string, email?: string): Promise<AccountView> {
    const body = { center: this.requireCenter(), username, password, ...(email ? { email } : {}) };
    const result = await api<LoginResult>('/api/auth/register', { method: 'POST', body });
    this.signedIn(result);
    return result.account;
  }

  /** Shows a notice on the page at `path` until the person leaves it (Layout renders it). */
  notify(notice: PortalNotice | null): void {
    this.set({ notice });
  }

  /** Takes over a token the server handed out elsewhere (an accepted invitation). */
  signedIn(result: LoginResult): void {
    this.storage.setItem(key(this.requireCenter()), JSON.stringify(result));
    this.set({ auth: { token: result.token, account: result.account }, ended: false });
  }

  async logout(): Promise<void> {
    const token = this.state.auth?.token;
    this.forget(false);
    if (token) await api('/api/auth/logout', { method: 'POST', token }).catch(() => undefined);
  }

  /** The session is gone on the server (or the account): forget it here too. */
  forget(ended: boolean): void {
    this.dropSocket();
    if (this.state.center) this.storage.removeItem(key(this.state.center));
    this.set({ auth: null, ended });
  }

  /** An authenticated REST call; a dead token ends the session on this page. */
  async call<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
    const token = this.state.auth?.token;
    if (!token) throw new ApiError('UNAUTHORIZED', 'not signed in', 401);
    try {
      return await api<T>(path, { ...init, token });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'UNAUTHORIZED' && this.state.auth?.token === token) this.forget(true);
      throw err;
    }
  }

  /** An authenticated multipart upload (one field `file`); a dead token ends the session as in `call`. */
  upload<T>(path: string, file: Blob, name: string, method: 'POST' | 'PUT' = 'POST'): Promise<T> {
    return this.authed((token) => upload<T>(path, file, name, token, method));
  }

  /** An authenticated download of a file the server sends as an attachment. */
  download(path: string): Promise<Blob> {
    return this.authed((token) => download(path, token));
  }

  private async authed<T>(run: (token: string) => Promise<T>): Promise<T> {
    const token = this.state.auth?.token;
    if (!token) throw new ApiError('UNAUTHORIZED', 'not signed in', 401);
    try {
      return await run(token);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'UNAUTHORIZED' && this.state.auth?.token === token) this.forget(true);
      throw err;
    }
  }

  /** The one socket of this page (rooms, live console); connected on first use. */
  socket(): LotseSocket {
    const auth = this.state.auth;
    if (!auth) throw new ApiError('UNAUTHORIZED', 'not signed in', 401);
    if (this.socketRef) return this.socketRef;
    const socket = connectSocket(auth.token);
    // The server drops the socket of a revoked token (deactivation, deletion, logout elsewhere).
    socket.on('disconnect', (reason) => {
      if (reason === 'io server disconnect') void this.verify();
    });
    socket.on('connect_error', (err) => {
      if (err.message === 'UNAUTHORIZED') this.forget(true);
    });
    this.socketRef = socket;
    return socket;
  }

  /** Asks the server whether the token still lives; ends the session here if not. */
  async verify(): Promise<void> {
    try {
      const account = await this.call<AccountView>('/api/auth/me');
      if (this.state.auth) this.set({ auth: { ...this.state.auth, account } });
    } catch {
      // call() has forgotten a dead token; a network error keeps the session
    }
  }

  private restore(center: string): PortalAuth | null {
    try {
      const saved = JSON.parse(this.storage.getItem(key(center)) ?? 'null') as LoginResult | null;
      return saved?.token && saved.account ? { token: saved.token, account: saved.account } : null;
    } catch {
      return null;
    }
  }

  private requireCenter(): string {
    if (!this.state.center) throw new ApiError('NOT_FOUND', 'no center', 404);
    return this.state.center;
  }

  private dropSocket(): void {
    this.socketRef?.removeAllListeners();
    this.socketRef?.disconnect();
    this.socketRef = null;
  }
}
