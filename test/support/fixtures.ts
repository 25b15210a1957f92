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

export async function insertParticipant(voen: string, name = `Company ${voen}`): Promise<string> {
  const [p] = await testDb().ds.query(
    `INSERT INTO participants (kind, name, voen, created_at) VALUES ('LEGAL_ENTITY', $1, $2, now()) RETURNING id::text AS id`,
    [name, voen],
  );
  return p.id;
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
