import type { AuthContext } from '../common/auth-context';

/**
 * What the socket layer needs from whoever issues tokens: resolve a handshake token to its caller,
 * and hear about revoked tokens (their sockets are disconnected). Provided by the tokens module;
 * realtime/ depends on this interface only.
 */
export interface SocketAuthenticator {
  /** The caller for a bearer token, or null for a missing, unknown, expired or revoked one. */
  resolve(token: unknown): Promise<AuthContext | null>;
  /** Called with the SHA-256 hashes of tokens that were just revoked. */
  onRevoked(listener: (tokenHashes: string[]) => void): void;
}

/** Injection token for the SocketAuthenticator. */
export const SOCKET_AUTHENTICATOR = Symbol('SOCKET_AUTHENTICATOR');
