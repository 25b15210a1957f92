/** CSV import of customs declarations, and the generator of realistic test/demo files. */
export { DECLARATION_COLUMNS, DECLARATION_CSV_HEADER, csvLine } from './columns';
export { ImportInterruptedError, ImportRejectedError } from './errors';
export {
  IMPORT_LOCK_KEY,
  importDeclarations,
  loadReferenceSets,
  type AffectedMonth,
  type ImportOptions,
  type ImportProgress,
  type ImportSummary,
} from './importer';
export {
  generateDeclarations,
  generateDeclarationsCsv,
  type GenerateOptions,
  type ParticipantIdentity,
} from './generate';
export { RowValidator, checkHeader, type ReferenceSets } from './validate';
