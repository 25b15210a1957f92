/** The reference codes a row is checked against (validate.ts), read once per import. */
import type { PoolClient } from 'pg';
import type { ReferenceSets } from './validate';

export async function loadReferenceSets(client: PoolClient): Promise<ReferenceSets> {
  const codes = async (table: string) =>
    new Set((await client.query<{ code: string }>(`SELECT code FROM ${table}`)).rows.map((r) => r.code));
  return {
    countries: await codes('countries'),
    hsHeadings: await codes('hs_headings'),
    customsPosts: await codes('customs_posts'),
    procedures: await codes('customs_procedures'),
    transportModes: await codes('transport_modes'),
  };
}
