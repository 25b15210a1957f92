/**
 * The viewer's declarations: a cursor-paged list (newest first), one by number, and the batched
 * look-ups the DataLoaders use (items and measures of many declarations in one statement).
 */
import type { Sql } from '../db/tenant';
import { cursorCodec, toPage, type Page } from '../shared/cursor';
import { BadUserInputError } from '../shared/errors';
import { measuresSql, toMeasures, type MeasureRow, type TradeMeasures } from './measures';
import { hasItemLevelFilter, itemConditions, Params, type TradeFilter } from './trade-filter';

export const MAX_PAGE_SIZE = 500;

export interface DeclarationRecord {
  id: string;
  number: string;
  registrationDate: string;
  direction: 'IM' | 'EX';
  customsPostCode: string;
  procedureCode: string;
  declarantName: string;
}

export interface DeclarationItemRecord {
  declarationId: string;
  itemNumber: number;
  hsCode: string;
  description: string | null;
  originCountry: string | null;
  partnerCountry: string;
  transportMode: string | null;
  netWeightKg: string;
  grossWeightKg: string;
  supplementaryQuantity: string | null;
  supplementaryUnit: string | null;
  customsValueAzn: string;
  statisticalValueUsd: string;
}

export type DeclarationPage = Page<DeclarationRecord>;

const DECL_COLUMNS = `d.id::text AS id, d.number, to_char(d.registration_date, 'YYYY-MM-DD') AS "registrationDate",
  d.direction, d.customs_post_code AS "customsPostCode", d.procedure_code AS "procedureCode",
  d.declarant_name AS "declarantName"`;

/** The sort key (registration date, id) of the newest-first list. */
export const declarationCursor = cursorCodec('v1|', { date: 'date', id: 'id' });

export async function listDeclarations(
  sql: Sql,
  participantId: string,
  filter: TradeFilter,
  first: number,
  after: string | undefined,
): Promise<DeclarationPage> {
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw new BadUserInputError(`first must be between 0 and ${MAX_PAGE_SIZE}`, 'first');
  }
  const p = new Params();
  const c = [`d.participant_id = ${p.add(participantId)}`];
  if (filter.direction) c.push(`d.direction = ${p.add(filter.direction)}`);
  if (filter.from) c.push(`d.registration_date >= ${p.add(filter.from)}::date`);
  if (filter.to) c.push(`d.registration_date <= ${p.add(filter.to)}::date`);
  if (filter.customsPostCode) c.push(`d.customs_post_code = ${p.add(filter.customsPostCode)}`);
  if (filter.procedureCode) c.push(`d.procedure_code = ${p.add(filter.procedureCode)}`);
  if (hasItemLevelFilter(filter)) {
    const itemOnly: TradeFilter = {
      hsCodePrefix: filter.hsCodePrefix,
      countryCode: filter.countryCode,
      transportMode: filter.transportMode,
    };
    const ic = itemConditions(participantId, itemOnly, p, 'i');
    c.push(`EXISTS (SELECT 1 FROM declaration_items i WHERE ${ic.join(' AND ')} AND i.declaration_id = d.id)`);
  }
  if (after) {
    const cur = declarationCursor.decode(after);
    c.push(`(d.registration_date, d.id) < (${p.add(cur.date)}::date, ${p.add(cur.id)}::bigint)`);
  }
  const rows = await sql.query<DeclarationRecord>(
    `SELECT ${DECL_COLUMNS} FROM declarations d WHERE ${c.join(' AND ')}
      ORDER BY d.registration_date DESC, d.id DESC LIMIT ${p.add(first + 1)}`,
    p.values,
  );
  return toPage(rows, first, (r) => declarationCursor.encode({ date: r.registrationDate, id: r.id }));
}

export async function declarationByNumber(
  sql: Sql,
  participantId: string,
  number: string,
): Promise<DeclarationRecord | null> {
  const [row] = await sql.query<DeclarationRecord>(
    `SELECT ${DECL_COLUMNS} FROM declarations d WHERE d.participant_id = $1 AND d.number = $2`,
    [participantId, number],
  );
  return row ?? null;
}

export async function itemsOfDeclarations(
  sql: Sql,
  participantId: string,
  ids: readonly string[],
): Promise<DeclarationItemRecord[]> {
  return sql.query<DeclarationItemRecord>(
    `SELECT declaration_id::text AS "declarationId", item_number AS "itemNumber", hs_code AS "hsCode", description,
            origin_country AS "originCountry", partner_country AS "partnerCountry", transport_mode AS "transportMode",
            net_weight_kg AS "netWeightKg", gross_weight_kg AS "grossWeightKg",
            supplementary_quantity AS "supplementaryQuantity", supplementary_unit AS "supplementaryUnit",
            customs_value_azn AS "customsValueAzn", statistical_value_usd AS "statisticalValueUsd"
       FROM declaration_items WHERE participant_id = $1 AND declaration_id = ANY($2::bigint[])
      ORDER BY declaration_id, item_number`,
    [participantId, ids],
  );
}

export async function measuresOfDeclarations(
  sql: Sql,
  participantId: string,
  ids: readonly string[],
): Promise<Map<string, TradeMeasures>> {
  const rows = await sql.query<MeasureRow & { declaration_id: string }>(
    `SELECT i.declaration_id::text AS declaration_id, ${measuresSql(false)}
       FROM declaration_items i WHERE i.participant_id = $1 AND i.declaration_id = ANY($2::bigint[])
      GROUP BY i.declaration_id`,
    [participantId, ids],
  );
  return new Map(rows.map((r) => [r.declaration_id, toMeasures(r)]));
}
