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

export interface OnlineRotation {
  /** Keys re-wrapped from MASTER_KEY_PREVIOUS (or unlabelled) to MASTER_KEY. */
  rewrapped: number;
  /** Passes over the table (the last one found nothing left). */
  passes: number;
}

/**
 * key:rotate while nodes run (MASTER_KEY = new, MASTER_KEY_PREVIOUS = old on every node): re-wraps
 * every data key not yet wrapped by `current`, in batches of small transactions, each row replaced
 * atomically. Nodes open both wraps meanwhile, and wrap new keys with `current` once the first
 * batch is committed (CryptoService.wrappingKey); after `settleMs` (longer than their
 * ROTATION_CHECK_MS) a last pass must find nothing, so no key is left behind.
 */
export async function rotateMasterKeyOnline(
  keys: DataKeyRepository,
  current: Buffer,
  previous: Buffer,
  opts: { batchSize?: number; settleMs?: number; onBatch?: (done: number) => void } = {},
): Promise<OnlineRotation> {
  if (current.equals(previous)) throw new Error('MASTER_KEY_PREVIOUS equals MASTER_KEY.');
  const currentId = masterKeyId(current);
  const previousId = masterKeyId(previous);
  const batchSize = opts.batchSize ?? 200;
  const settleMs = opts.settleMs ?? 3000;
  let rewrapped = 0;
  let passes = 0;
  const pass = async (): Promise<number> => {
    passes++;
    let done = 0;
    let after = '';
    for (;;) {
      const rows = await keys.findNotWrappedBy(currentId, after, batchSize);
      if (rows.length === 0) return done;
      const batch = rows.map((row) => {
        if (row.masterKeyId !== null && row.masterKeyId !== previousId) {
          throw new Error(
            `data key ${row.id} was wrapped by master key ${row.masterKeyId}, neither MASTER_KEY (id ${currentId}) nor MASTER_KEY_PREVIOUS (id ${previousId}).`,
          );
        }
        let raw: Buffer;
        try {
          raw = unwrapDataKey(previous, { ...row, masterKeyId: row.masterKeyId ?? previousId });
        } catch (err) {
          // an unlabelled key may already be wrapped by the new key (an older tool); leave it readable
          if (row.masterKeyId === null) raw = unwrapDataKey(current, { ...row, masterKeyId: currentId });
          else throw err;
        }
        try {
          return { row, wrappedKey: wrapDataKey(current, raw, row), masterKeyId: currentId };
        } finally {
          raw.fill(0);
        }
      });
      done += await keys.replaceWraps(batch);
      opts.onBatch?.(rewrapped + done);
      after = rows[rows.length - 1]!.id;
    }
  };
  rewrapped += await pass();
  // Nodes may have wrapped a key with the previous key just before they saw the rotation begin.
  for (;;) {
    await new Promise((r) => setTimeout(r, settleMs));
    const more = await pass();
    rewrapped += more;
    if (more === 0) break;
  }
  return { rewrapped, passes };
}
