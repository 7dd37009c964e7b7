import { randomBytes } from 'node:crypto';
import type { Center } from '../../src/modules/centers/center.entity';
import { CentersService } from '../../src/modules/centers/centers.service';
import type { TestApp } from '../harness/app';

export interface CenterSpec {
  slug: string;
  name: string;
  /** Center settings to apply after creating it (`CentersService.updateSettings`). */
  settings: Parameters<CentersService['updateSettings']>[1];
}

let seq = 0;
/** A slug no other test of this run uses. */
export const uniqueSlug = (prefix = 'c'): string => `${prefix}${randomBytes(3).toString('hex')}${(seq++).toString(36)}`;

/** A center through the service (as the CLI creates one), with `Partial` overrides. */
export async function createCenter(t: TestApp, overrides: Partial<CenterSpec> = {}): Promise<Center> {
  const slug = overrides.slug ?? uniqueSlug();
  const centers = t.app.get(CentersService);
  const center = await centers.create(slug, overrides.name ?? `Center ${slug}`);
  if (overrides.settings) await centers.updateSettings(center.id, overrides.settings);
  return center;
}
