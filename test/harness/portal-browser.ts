import type { Browser, BrowserContext, BrowserContextOptions } from 'playwright-core';
import type { LoginResult } from '../../src/realtime/contract';
import { freePort, type StartOptions, startApp, type TestApp } from './app';
import { launchChromium } from './browser';

/**
 * The portal browser specs' fixture: a Lotse that serves the browser client on a free port (its
 * PUBLIC_URL that port), one Chromium, and the browser contexts a spec opens (all closed by
 * `close`, with the app and its database).
 */
export interface PortalBrowser {
  t: TestApp & { dropDb: () => Promise<void> };
  browser: Browser;
  /** A new context, German by default (closed by `close`). */
  context(options?: BrowserContextOptions): Promise<BrowserContext>;
  close(): Promise<void>;
}

export async function startPortalBrowser(options: StartOptions = {}): Promise<PortalBrowser> {
  const port = await freePort();
  const t = await startApp({ ...options, env: { CLIENT: 'on', PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, ...options.env } });
  const browser = await launchChromium();
  const contexts: BrowserContext[] = [];
  return {
    t,
    browser,
    async context(o = {}) {
      const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, locale: 'de-DE', ...o });
      contexts.push(context);
      return context;
    },
    async close() {
      for (const ctx of contexts) await ctx.close().catch(() => undefined);
      await browser.close();
      await t.close();
      await t.dropDb();
    },
  };
}

/** Signs `context` in to the center's portal as `who`: the session where the portal keeps it (this tab's sessionStorage), before any page loads. */
export async function signInPortal(context: BrowserContext, slug: string, who: LoginResult): Promise<void> {
  await context.addInitScript(({ key, value }: { key: string; value: string }) => sessionStorage.setItem(key, value), {
    key: `lotse.portal.${slug}`,
    value: JSON.stringify(who),
  });
}
