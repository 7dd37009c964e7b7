import { Inject, Injectable } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errors } from '../../common/errors';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { CentersService } from '../centers/centers.service';

/** The built client: dist/client, from src/ (tests) as from dist/ (production). */
export const CLIENT_BUILD_DIR = join(__dirname, '..', '..', '..', 'dist', 'client');
const WIDGET_PAGE = join(CLIENT_BUILD_DIR, 'embed', 'widget.html');

export interface WidgetPage {
  html: string;
  csp: string;
}

/**
 * The widget page (the iframe app) with a Content-Security-Policy of its own: it may be framed only
 * by the center's allowed homepage origins (and by Lotse itself, for the demo page).
 */
@Injectable()
export class WidgetService {
  private html: string | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly centers: CentersService,
  ) {}

  async page(slug: unknown): Promise<WidgetPage> {
    if (!this.config.serveClient) throw errors.notFound('The widget');
    const center = await this.centers.bySlug(slug);
    this.html ??= await readFile(WIDGET_PAGE, 'utf8').catch(() => null);
    if (this.html === null) throw errors.notFound('The widget (client not built)');
    return { html: this.html, csp: widgetCsp(this.config.publicUrl, center.widgetOrigins ?? []) };
  }
}

export function widgetCsp(publicUrl: string, widgetOrigins: string[]): string {
  const ancestors = [...new Set(["'self'", publicUrl, ...widgetOrigins])];
  const socketOrigin = publicUrl.replace(/^http/, 'ws');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${socketOrigin}`,
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${ancestors.join(' ')}`,
  ].join('; ');
}
