import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig, type JitsiConfig } from '../../config/config';
import { DomainError } from '../../common/errors';

/** The installation's Jitsi, or `503 VIDEO_NOT_CONFIGURED` for every video route when JITSI_* are unset. */
@Injectable()
export class VideoConfig {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get configured(): boolean {
    return this.config.jitsi !== null;
  }

  require(): JitsiConfig {
    if (!this.config.jitsi)
      throw new DomainError('VIDEO_NOT_CONFIGURED', 'Video calls are not set up on this installation (JITSI_DOMAIN, JITSI_APP_ID, JITSI_APP_SECRET).');
    return this.config.jitsi;
  }

  /** The guest link: the token in the fragment, which browsers never send to a server (nor to its logs). */
  inviteUrl(slug: string, token: string): string {
    return `${this.config.publicUrl}/c/${slug}/video-invite#${token}`;
  }
}
