import type { Messages } from '../index';
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

/** The English catalogue of the portal (same shape as the German one; the compiler checks it). */
export const en: Messages = {
  meta: { lang: 'en', dir: 'ltr' },
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
