/** Portal texts: the video pages (German; issue 13). Owned by the video pages. */
export const video = {
  title: 'Videoräume',
};
