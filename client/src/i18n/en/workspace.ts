import type { workspace as de } from '../de/workspace';

/** Portal texts: workspace (English). */
export const workspace: typeof de = {
  title: 'Workspace',
};
