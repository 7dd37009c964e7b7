import { Inject, Injectable } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errors } from '../../common/errors';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { CentersService } from '../centers/centers.service';
import { CLIENT_BUILD_DIR } from '../widget/widget.service';

const PORTAL_PAGE = join(CLIENT_BUILD_DIR, 'portal.html');

export interface PortalPage {
  status: 200 | 404;
  html: string;
  csp: string;
}

/**
 * The portal's HTML (one page; the client routes). An unknown center gets the same page with
 * status 404: the client shows its friendly page with the general crisis lines, never JSON.
 */
@Injectable()
export class PortalService {
  private html: string | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly centers: CentersService,
  ) {}

  async page(slug?: string): Promise<PortalPage> {
    const html = await this.load();
    const known =
      slug === undefined ||
      (await this.centers.bySlug(slug).then(
        () => true,
        () => false,
      ));
    return { status: known ? 200 : 404, html, csp: portalCsp(this.config.publicUrl) };
  }

  /** An address that is no page: the same HTML with status 404 (the client shows its friendly page). */
  async unknown(): Promise<PortalPage> {
    return { status: 404, html: await this.load(), csp: portalCsp(this.config.publicUrl) };
  }

  private async load(): Promise<string> {
    if (!this.config.serveClient) throw errors.notFound('The portal');
    this.html ??= await readFile(PORTAL_PAGE, 'utf8').catch(() => null);
    if (this.html === null) throw errors.notFound('The portal (client not built)');
    return this.html;
  }
}

/** Paths that belong to the API, health check, sockets and metrics: an unknown one there answers JSON. */
const NOT_PORTAL = /^\/(?:api|health|socket\.io|metrics)(?:\/|$)/;

export function isPortalPath(path: string): boolean {
  return !NOT_PORTAL.test(path);
}

/** No inline script or style, nothing from another origin, not framable. */
export function portalCsp(publicUrl: string): string {
  const socketOrigin = publicUrl.replace(/^http/, 'ws');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${socketOrigin}`,
    "font-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
