/**
 * Test data written straight into the tables as the owner (no importer involved), so the
 * statistics tests do not depend on the code they check.
 */
import { refreshRollups } from '../../src/statistics/rollups';
import { testDb } from './db';

export interface ItemSpec {
  hs: string;
  country: string;
  origin?: string | null;
  transport?: string | null;
  net: string;
  gross: string;
  azn: string;
  usd: string;
  qty?: string | null;
  unit?: string | null;
}

export interface DeclSpec {
  number: string;
  date: string;
  direction: 'IM' | 'EX';
  post?: string;
  procedure?: string;
  items: ItemSpec[];
}

/** The measures of a statistics row, in the order of the API, the exports and the extracts. */
export const MEASURES = [
  'declarationCount',
  'itemCount',
  'customsValueAzn',
  'statisticalValueUsd',
  'netWeightKg',
  'grossWeightKg',
  'supplementaryQuantity',
  'supplementaryUnit',
] as const;

export type ItemOf = (hs: string, country: string, azn: string, extra?: Partial<ItemSpec>) => ItemSpec;

/** An item factory whose items all weigh `net` (gross 12.500) and are worth `usd`. */
export function itemsOf(net: string, usd: string): ItemOf {
  return (hs, country, azn, extra = {}) => ({ hs, country, net, gross: '12.500', azn, usd, ...extra });
}

/** Four declarations (2023 to a leap day of 2024, both directions) whose figures tests state by hand. */
export function fourDeclarations(item: ItemOf): DeclSpec[] {
  const decl = (number: string, date: string, direction: 'IM' | 'EX', items: ItemSpec[], post?: string): DeclSpec =>
    post ? { number, date, direction, post, items } : { number, date, direction, items };
  return [
    decl('A-1', '2023-03-10', 'IM', [item('8471300000', 'CN', '100.10'), item('8471410000', 'CN', '200.20')]),
    decl('A-2', '2023-07-01', 'IM', [item('8471300000', 'TR', '50.05', { qty: '2.000', unit: 'pcs' })]),
    decl('A-3', '2024-01-15', 'EX', [item('0802210000', 'RU', '1000.00'), item('0802220000', 'GE', '0.01')], '30100'),
    decl('A-4', '2024-02-29', 'IM', [item('8471300000', 'CN', '0.99', { qty: '3.500', unit: 'pcs' })]),
  ];
}

export async function insertParticipant(voen: string, name = `Company ${voen}`): Promise<string> {
  const [p] = await testDb().ds.query(
    `INSERT INTO participants (kind, name, voen, created_at) VALUES ('LEGAL_ENTITY', $1, $2, now()) RETURNING id::text AS id`,
    [name, voen],
  );
  return p.id;
}

/** One import declaration of one item, given as [hs, country, net, gross, azn, usd] (see insertDeclarations). */
export async function insertOneImport(
  participantId: string,
  number: string,
  date: string,
  [hs, country, net, gross, azn, usd]: [string, string, string, string, string, string],
): Promise<void> {
  await insertDeclarations(participantId, [
    { number, date, direction: 'IM', items: [{ hs, country, net, gross, azn, usd }] },
  ]);
}

/**
 * Inserts declarations and items, then refreshes their statistics rollups as the importer does in
 * its transaction (declaration_items has no other writer).
 */
export async function insertDeclarations(participantId: string, decls: DeclSpec[]): Promise<void> {
  const { ds } = testDb();
  await insertRows(participantId, decls);
  const months = [...new Set(decls.map((d) => `${d.date.slice(0, 7)}-01`))];
  await ds.transaction((m) =>
    refreshRollups(
      (text, params) => m.query(text, params),
      months.map((month) => ({ participantId, month })),
      { minItems: 0 },
    ),
  );
}

/**
 * The two traders of the isolation tests: A (VÖEN 1000000001, `a.name`) with `a.declarations`, and B
 * (1000000002, `b.name`) with one import, B-1 of 2023-03-10, of `b.items`. Their participant ids.
 */
export async function insertTwoTraders(
  a: { name: string; declarations: DeclSpec[] },
  b: { name: string; items: ItemSpec[] },
): Promise<{ a: string; b: string }> {
  const ids = {
    a: await insertParticipant('1000000001', a.name),
    b: await insertParticipant('1000000002', b.name),
  };
  await insertDeclarations(ids.a, a.declarations);
  await insertDeclarations(ids.b, [{ number: 'B-1', date: '2023-03-10', direction: 'IM', items: b.items }]);
  return ids;
}

async function insertRows(participantId: string, decls: DeclSpec[]): Promise<void> {
  const { ds } = testDb();
  for (const d of decls) {
    const [row] = await ds.query(
      `INSERT INTO declarations (participant_id, number, registration_date, direction, customs_post_code,
         procedure_code, declarant_name, imported_at) VALUES ($1, $2, $3, $4, $5, $6, 'x', now()) RETURNING id`,
      [
        participantId,
        d.number,
        d.date,
        d.direction,
        d.post ?? '10100',
        d.procedure ?? (d.direction === 'IM' ? '40' : '10'),
      ],
    );
    let n = 0;
    for (const i of d.items) {
      n += 1;
      await ds.query(
        `INSERT INTO declaration_items (participant_id, declaration_id, item_number, registration_date, direction,
           customs_post_code, procedure_code, hs_code, origin_country, partner_country, transport_mode,
           net_weight_kg, gross_weight_kg, supplementary_quantity, supplementary_unit, customs_value_azn, statistical_value_usd)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
        [
          participantId,
          row.id,
          n,
          d.date,
          d.direction,
          d.post ?? '10100',
          d.procedure ?? (d.direction === 'IM' ? '40' : '10'),
          i.hs,
          i.origin ?? null,
          i.country,
          i.transport ?? '3',
          i.net,
          i.gross,
          i.qty ?? null,
          i.unit ?? null,
          i.azn,
          i.usd,
        ],
      );
    }
  }
}
