import type { video as de } from '../de/video';

/** Portal texts: the video pages (English; issue 13). */
export const video: typeof de = {
  title: 'Video rooms',
};
