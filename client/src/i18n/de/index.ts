import { account } from './account';
import { admin } from './admin';
import { auth } from './auth';
import { center } from './center';
import { common } from './common';
import { consoleTexts } from './console';
import { errors } from './errors';
import { rooms } from './rooms';
import { threads } from './threads';
import { stats } from './stats';
import { team } from './team';
import { video } from './video';
import { appointments } from './appointments';
import { workspace } from './workspace';

/** The German catalogue of the portal: one object, one file per area. */
export const de = {
  meta: { lang: 'de', dir: 'ltr' as 'ltr' | 'rtl' },
  common,
  errors,
  center,
  auth,
  account,
  rooms,
  threads,
  stats,
  team,
  video,
  appointments,
  workspace,
  admin,
  console: consoleTexts,
};
