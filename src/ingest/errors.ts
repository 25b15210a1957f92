import { AppError } from '../shared/errors';

/**
 * Thrown when an import file is rejected as a whole: a bad header, a CSV syntax error, or any
 * invalid row without `skipInvalid`. Nothing was changed in the database. `errors` holds the
 * first problems as `line N: column: reason` (line 1 is the header), in line order;
 * `errorCount` is the total.
 */
export class ImportRejectedError extends AppError {
  constructor(
    readonly errors: string[],
    readonly errorCount: number,
    /** Data rows with at least one problem. */
    readonly rejectedRows: number,
  ) {
    super(
      'BAD_USER_INPUT',
      `import rejected: ${errorCount} error${errorCount === 1 ? '' : 's'}` +
        (errors.length > 0 ? ` (first: ${errors[0]})` : ''),
    );
    this.name = 'ImportRejectedError';
  }
}

/** Thrown when the import's `signal` was aborted (Ctrl-C): the transaction was rolled back, nothing changed. */
export class ImportInterruptedError extends Error {
  constructor() {
    super('import interrupted: nothing was imported');
    this.name = 'ImportInterruptedError';
  }
}
