import { unwrapDataKey, wrapDataKey } from './crypto.service';
import { DataKeyRepository } from './data-key.repository';
import { masterKeyId } from '../../infra/crypto/master-key';

/**
 * Re-wraps every stored data key (center, client and room keys) from `oldKey` to `newKey` in one
 * transaction. A key that `oldKey` cannot open stops the rotation before anything is written.
 */
export async function rotateMasterKey(keys: DataKeyRepository, oldKey: Buffer, newKey: Buffer): Promise<number> {
  if (oldKey.equals(newKey)) throw new Error('The new master key equals the current one.');
  const newId = masterKeyId(newKey);
  return keys.rewrapAll((row) => {
    const raw = unwrapDataKey(oldKey, row);
    try {
      return { wrappedKey: wrapDataKey(newKey, raw, row), masterKeyId: newId };
    } finally {
      raw.fill(0);
    }
  });
}

/** Which of the candidate keys wrapped the stored data keys: all of them must name the same one. */
export async function matchingMasterKey(keys: DataKeyRepository, candidates: Buffer[]): Promise<Buffer | null> {
  const ids = (await keys.masterKeyIds()).filter((id): id is string => id !== null);
  if (new Set(ids).size !== 1) return null;
  return candidates.find((k) => masterKeyId(k) === ids[0]) ?? null;
}
