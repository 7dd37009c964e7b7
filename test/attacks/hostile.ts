import { randomBytes } from 'node:crypto';
import { DIST_CLI, spawnNode } from '../harness/spawn';
import { type Actor, loginActor, PASSWORD } from './actors';
import { server } from './server';

/**
 * Hostile texts for the content attacks (docs/security.md, "Content"): markup that would run
 * script if a page rendered it as HTML (each calls the global `__x(n)` that the browser tests
 * install), bidi overrides, zero-width characters and an SQL-like string. Short enough (≤ 31
 * characters, 39 with a marker) for the tightest field, a topic-chat nickname (40).
 */
export const HOSTILE = {
  'img onerror': '<img src=x onerror=__x(1)>',
  'script element': '<script>__x(2)</script>',
  'javascript: link': '<a href=javascript:__x(3)>k</a>',
  'svg onload after a quote': '"><svg onload=__x(4)>',
  'bidi override (U+202E)': 'abc\u202Etxt.exe',
  'zero-width characters (U+200B, U+2060, U+FEFF)': 'a\u200Bb\u2060c\uFEFFd',
  'SQL-like string': "'; DROP TABLE accounts; --",
} as const;

export type HostileKind = keyof typeof HOSTILE;
export const HOSTILE_KINDS = Object.keys(HOSTILE) as HostileKind[];

/** The kinds that names refuse (docs/names.md: no invisible or format characters in a name). */
export const INVISIBLE_KINDS: HostileKind[] = ['bidi override (U+202E)', 'zero-width characters (U+200B, U+2060, U+FEFF)'];

/** Every markup payload at once, for one field a page shows (the browser tests). */
export const ALL_MARKUP = `${HOSTILE['img onerror']} ${HOSTILE['script element']} ${HOSTILE['javascript: link']} ${HOSTILE['svg onload after a quote']}`;

/** A short random marker that makes a text unique (and findable by the privacy sweep when planted). */
export const marker = (): string => `t${randomBytes(3).toString('hex')}`;

/**
 * A center of one attack file's own (the CLI, as global-setup.ts does), so that changing its name,
 * texts and settings never touches the centers of the access-matrix tests. Returns its admin.
 */
export async function ownCenter(label: string): Promise<{ slug: string; admin: Actor }> {
  const info = server();
  const slug = `atk-${label}-${randomBytes(2).toString('hex')}`;
  const email = `admin@${slug}.example`;
  const proc = spawnNode(DIST_CLI, ['center:create', '--slug', slug, '--name', `Beratung ${slug}`, '--admin-email', email, '--admin-password', PASSWORD], {
    DATA_DIR: info.dataDir,
    MASTER_KEY: info.masterKey,
    LOG_LEVEL: 'warn',
    DEMO: 'off',
    ...(info.redisUrl ? { REDIS_URL: info.redisUrl } : {}),
  });
  const code = await proc.exited;
  if (code !== 0) throw new Error(`center:create ${slug} failed (${String(code)}):\n${proc.stdout()}\n${proc.stderr()}`);
  return { slug, admin: await loginActor(slug, email, PASSWORD) };
}
