import type { Logger, QueryRunner } from 'typeorm';

/**
 * TypeORM logger that counts SQL statements (tests use the count to prove there is no N+1)
 * and reports slow queries and failures to the application log.
 */
export class SqlLogger implements Logger {
  static statements = 0;
  constructor(
    private readonly report: (level: 'warn' | 'error', msg: string, extra?: object) => void = () => undefined,
  ) {}

  logQuery(): void {
    SqlLogger.statements += 1;
  }
  logQueryError(error: string | Error, query: string): void {
    this.report('error', 'sql failed', { error: String(error), query: query.slice(0, 500) });
  }
  logQuerySlow(time: number, query: string): void {
    this.report('warn', 'slow sql', { ms: time, query: query.slice(0, 500) });
  }
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(_level: 'log' | 'info' | 'warn', _message: unknown, _queryRunner?: QueryRunner): void {}
}
