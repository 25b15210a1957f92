/**
 * Scalars of the API contract: Date (YYYY-MM-DD), DateTime (ISO-8601 UTC) and Decimal (an exact
 * decimal as a string: money, weights and quantities are never Float).
 */
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { isCalendarDate } from '../shared/calendar';

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

function parseDate(v: unknown): string {
  if (typeof v !== 'string' || !isCalendarDate(v)) {
    throw badInput(`Date must be a calendar date as YYYY-MM-DD, got ${JSON.stringify(v)}`);
  }
  return v;
}

export const DateScalar = new GraphQLScalarType({
  name: 'Date',
  description: 'A calendar date, YYYY-MM-DD.',
  serialize(v) {
    if (v instanceof Date) return v.toISOString().slice(0, 10);
    return parseDate(v);
  },
  parseValue: parseDate,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw badInput('Date must be a string YYYY-MM-DD');
    return parseDate(ast.value);
  },
});

function parseDateTime(v: unknown): Date {
  if (
    typeof v !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v) ||
    Number.isNaN(Date.parse(v))
  ) {
    throw badInput(`DateTime must be ISO-8601 with a time zone, got ${JSON.stringify(v)}`);
  }
  return new Date(v);
}

export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description: 'An instant, ISO-8601 in UTC (2025-01-31T12:00:00.000Z).',
  serialize(v) {
    const d = v instanceof Date ? v : new Date(String(v));
    if (Number.isNaN(d.getTime())) throw new Error('invalid DateTime value');
    return d.toISOString();
  },
  parseValue: parseDateTime,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw badInput('DateTime must be a string');
    return parseDateTime(ast.value);
  },
});

const DECIMAL_RE = /^-?\d{1,30}(\.\d{1,12})?$/;

function parseDecimal(v: unknown): string {
  if (typeof v !== 'string' || !DECIMAL_RE.test(v)) {
    throw badInput(`Decimal must be a string like "1234.56", got ${JSON.stringify(v)}`);
  }
  return v;
}

export const DecimalScalar = new GraphQLScalarType({
  name: 'Decimal',
  description: 'An exact decimal number serialised as a string ("1234.56"). Never a float.',
  serialize(v) {
    if (typeof v === 'string' && DECIMAL_RE.test(v)) return v;
    if (typeof v === 'bigint') return v.toString();
    throw new Error(`Decimal cannot represent ${typeof v} ${String(v)}`);
  },
  parseValue: parseDecimal,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw badInput('Decimal must be a string');
    return parseDecimal(ast.value);
  },
});
