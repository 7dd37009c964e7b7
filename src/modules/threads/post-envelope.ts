import { DomainError } from '../../common/errors';
import type { CipherContext, CryptoService } from '../crypto/crypto.service';

/**
 * The stored form of a post body (`thread_posts.body`): a versioned JSON envelope.
 * - v1 `{"v":1,"alg":"server","ct":"<CryptoService ciphertext>"}`: encrypted by the server with the
 *   key `cipherFor` chose (AAD binds center, table, column and post id).
 * - a later end-to-end variant is `{"v":2,"alg":"e2e",...}` in the same column, without migration;
 *   this file is the only code that reads or writes the envelope.
 */
export interface PostEnvelopeV1 {
  v: 1;
  alg: 'server';
  ct: string;
}

/** Key choice without the row (ThreadsService.cipherFor). */
export type CipherBase = Pick<CipherContext, 'centerId' | 'accountId' | 'threadId'>;

const postCtx = (base: CipherBase, postId: string): CipherContext => ({ ...base, table: 'thread_posts', column: 'body', rowId: postId });

export async function sealPost(crypto: CryptoService, base: CipherBase, postId: string, text: string): Promise<string> {
  const envelope: PostEnvelopeV1 = { v: 1, alg: 'server', ct: await crypto.encrypt(postCtx(base, postId), text) };
  return JSON.stringify(envelope);
}

export async function openPost(crypto: CryptoService, base: CipherBase, postId: string, stored: string): Promise<string> {
  let envelope: Partial<PostEnvelopeV1>;
  try {
    envelope = JSON.parse(stored) as Partial<PostEnvelopeV1>;
  } catch {
    throw new DomainError('INTERNAL', 'A stored post could not be read.');
  }
  if (envelope.v !== 1 || envelope.alg !== 'server' || typeof envelope.ct !== 'string')
    throw new DomainError('INTERNAL', 'A stored post has an unknown format.');
  return crypto.decrypt(postCtx(base, postId), envelope.ct);
}
