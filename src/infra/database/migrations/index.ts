import { Foundation1764300000000 } from './1764300000000-foundation';
import { Rooms1764400000000 } from './1764400000000-rooms';

/** Every migration, in order. Never edit a committed one; add a new file and list it here. */
export const MIGRATIONS = [Foundation1764300000000, Rooms1764400000000];
