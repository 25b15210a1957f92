import { Initial1764000000000 } from './1764000000000-Initial';

/** Every migration in order. Add new ones at the end. */
export const migrations = [Initial1764000000000];
