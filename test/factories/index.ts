/** Factories for centers, staff, clients, rooms (through the app) and entity rows (for repository tests). */
export { createCenter, uniqueSlug, type CenterSpec } from './centers';
export { createClient, createStaff, login, PASSWORD, type ClientSpec, type Login, type StaffSpec } from './accounts';
export { createRoom } from './rooms';
export { rowFactories } from './rows';
