/** Portal texts: workspace (German). Owned by the workspace pages. */
export const workspace = {
  title: 'Workspace',
};
