import { Injectable } from '@nestjs/common';
import { AuthContext, requireRole } from '../../common/auth-context';
import { Clock, IdGenerator } from '../../common/clock';
import { errors } from '../../common/errors';
import { Transactions } from '../../infra/database/transactions';
import { isUniqueViolation } from '../../infra/database/unique-violation';
import type { VideoConsentView } from '../../realtime/contract';
import { CentersService } from '../centers/centers.service';
import { CryptoService } from '../crypto/crypto.service';
import { DEFAULT_VIDEO_CONSENT } from './default-consent';
import { ConsentTextDto } from './dto/video.dto';
import { VideoConsent, VideoConsentConfirmation } from './video-consent.entity';
import { VideoConfig } from './video-config';
import { VideoRepository } from './video.repository';

const ctx = (row: Pick<VideoConsent, 'centerId' | 'id'>) => ({ centerId: row.centerId, table: 'video_consents', column: 'text_enc', rowId: row.id });

/**
 * The center's consent text for video sessions, by version (the built-in text is version 1 until
 * the admin sets one), and the confirmations: who (a client's account, or a guest's room) confirmed
 * which version when, nothing more.
 */
@Injectable()
export class VideoConsentService {
  constructor(
    private readonly repo: VideoRepository,
    private readonly centers: CentersService,
    private readonly crypto: CryptoService,
    private readonly video: VideoConfig,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly tx: Transactions,
  ) {}

  /** Public: the text a client or guest confirms before their first session. */
  async forCenter(slug: string): Promise<VideoConsentView> {
    this.video.require();
    return this.current((await this.centers.bySlug(slug)).id);
  }

  async current(centerId: string): Promise<VideoConsentView> {
    const row = await this.repo.latestConsent(centerId);
    return row ? { version: row.version, text: await this.crypto.decrypt(ctx(row), row.textEnc) } : { version: 1, text: DEFAULT_VIDEO_CONSENT };
  }

  /** The admin sets a new text: a new version, so everyone confirms again before their next session. */
  async setText(auth: AuthContext, dto: ConsentTextDto): Promise<{ version: number }> {
    this.video.require();
    requireRole(auth, 'admin');
    const text = dto.text.trim();
    if (!text) throw errors.validation('The consent text may not be empty.', ['text']);
    try {
      return await this.tx.run(async () => {
        const latest = await this.repo.latestConsent(auth.centerId);
        const row = Object.assign(new VideoConsent(), {
          id: this.ids.uuid(),
          centerId: auth.centerId,
          version: (latest?.version ?? 1) + 1,
          createdAt: this.clock.now(),
        });
        row.textEnc = await this.crypto.encrypt(ctx(row), text);
        await this.repo.insertConsent(row);
        return { version: row.version };
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw errors.conflict('The consent text was changed at the same moment. Please reload it and try again.');
      throw err;
    }
  }

  /**
   * A client confirms the current version now (`consentVersion`) or did before; a guest always
   * confirms (they are nobody the next time). A stale or missing version: VALIDATION_FAILED
   * `consentVersion`, nothing stored.
   */
  async requireConfirmed(centerId: string, who: { accountId: string } | { roomId: string }, consentVersion: number | undefined): Promise<void> {
    const { version } = await this.current(centerId);
    if (consentVersion !== undefined && consentVersion !== version) {
      throw errors.validation(`The consent text has changed (version ${version} now). Please read it and confirm it again.`, ['consentVersion']);
    }
    const accountId = 'accountId' in who ? who.accountId : null;
    if (accountId && (await this.repo.hasConfirmed(centerId, accountId, version))) return;
    if (consentVersion === undefined) throw errors.validation(`Please read and confirm the consent text (version ${version}) first.`, ['consentVersion']);
    await this.repo.insertConfirmation(
      Object.assign(new VideoConsentConfirmation(), {
        id: this.ids.uuid(),
        centerId,
        version,
        accountId,
        roomId: 'roomId' in who ? who.roomId : null,
        confirmedAt: this.clock.now(),
      }),
    );
  }
}
