import { Foundation1764300000000 } from './1764300000000-foundation';

/** Every migration, in order. Never edit a committed one; add a new file and list it here. */
export const MIGRATIONS = [Foundation1764300000000];
