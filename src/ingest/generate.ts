/**
 * Deterministic generator of realistic declaration CSV (docs/import-format.md) for demos,
 * tests and benchmarks.
 *
 * Same options and seed → identical rows. Participant identities and profiles depend only on
 * the seed and the participant count (not on the number of items), so files of different sizes
 * for the same seed describe the same traders. Distributions are skewed as in real customs data:
 * participant activity is Zipf-like, each participant specialises in a few HS headings, partner
 * countries and one or two home customs posts; declarations have 1–8 items (mostly 1–2); values
 * are log-normal around a per-heading price per kilogram.
 */
import { Readable } from 'node:stream';
import { COL, DECLARATION_COLUMNS, DECLARATION_CSV_HEADER, csvField } from './columns';
import {
  EX_PROCEDURES,
  IM_PROCEDURES,
  ITEM_COUNT,
  MODES_FAR,
  MODES_NEAR,
  NEAR,
  RATES,
  borderPost,
  currencyOptions,
} from './generate-data';
import {
  makeProfiles,
  type HeadingChoice,
  type ParticipantIdentity,
  type Profile,
  type ProfileOptions,
} from './generate-profiles';
import { Prng, WeightedPicker, hashString, zipfWeights } from './prng';

export type { ParticipantIdentity };

export interface GenerateOptions extends ProfileOptions {
  /** Number of item rows to write. */
  items: number;
  /** First registration date, YYYY-MM-DD (default 2021-01-01). */
  from?: string;
  /** Last registration date, YYYY-MM-DD (default 2025-12-31). */
  to?: string;
}

export { DECLARATION_COLUMNS, DECLARATION_CSV_HEADER };

const DAY_MS = 86_400_000;

function parseDay(s: string, name: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  const t = m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) : NaN;
  if (!m || Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== s) {
    throw new Error(`${name}: expected a date YYYY-MM-DD, got "${s}"`);
  }
  return Math.floor(t / DAY_MS);
}

function validateOptions(opts: GenerateOptions): { fromDay: number; days: number } {
  if (!Number.isInteger(opts.items) || opts.items < 0) throw new Error('items: expected an integer ≥ 0');
  if (!Number.isInteger(opts.participants) || opts.participants < 1)
    throw new Error('participants: expected an integer ≥ 1');
  if (!Number.isInteger(opts.seed)) throw new Error('seed: expected an integer');
  const fromDay = parseDay(opts.from ?? '2021-01-01', 'from');
  const toDay = parseDay(opts.to ?? '2025-12-31', 'to');
  if (toDay < fromDay) throw new Error('to: must not be before from');
  return { fromDay, days: toDay - fromDay + 1 };
}

/** The declaration-level values of one declaration, drawn for participant `p`. */
interface DeclDraw {
  first: HeadingChoice;
  exp: boolean;
  partner: string;
  mode: string;
  post: string;
  procedure: string;
  currency: string;
  rate: number;
}

function drawDeclaration(rng: Prng, p: Profile): DeclDraw {
  const first = p.headings.pick(rng);
  const exp = rng.chance(first.exportShare);
  const partner = (exp ? p.exportPartners : p.importPartners).pick(rng);
  let mode: string;
  const code2 = first.heading.code;
  if (code2 === '2709' || code2 === '2711') mode = rng.chance(0.8) ? '7' : '1';
  else mode = (NEAR.has(partner) ? MODES_NEAR : MODES_FAR).pick(rng);
  if (first.heading.price > 150 && rng.chance(0.6)) mode = '4';
  const post = rng.chance(0.7) ? p.posts.pick(rng) : borderPost(partner, mode);
  const procedure = (exp ? EX_PROCEDURES : IM_PROCEDURES).pick(rng);
  const currency = pickWeighted(rng, currencyOptions(partner));
  return { first, exp, partner, mode, post, procedure, currency, rate: RATES[currency] ?? 1 };
}

/** Weights, values and supplementary quantity of one item of heading choice `choice`. */
function drawAmounts(rng: Prng, p: Profile, choice: HeadingChoice, rate: number) {
  const hd = choice.heading;
  const net = Math.max(0.1, rng.logNormal(hd.netKg * p.scale, 1.0));
  const gross = net * (1 + 0.01 + rng.next() * 0.11);
  const netS = net.toFixed(3);
  const usd = Math.max(1, Number(netS) * rng.logNormal(hd.price, 0.35));
  const usdS = usd.toFixed(2);
  const invoice = rng.chance(0.03) ? '' : (Number(usdS) * rate * (1 + (rng.next() - 0.5) * 0.04)).toFixed(2);
  let suppQty = '';
  let suppUnit = '';
  if (hd.supp) {
    suppUnit = hd.supp[0];
    const q = Number(netS) / hd.supp[1];
    suppQty = suppUnit === 'pcs' || suppUnit === 'pair' ? String(Math.max(1, Math.round(q))) : q.toFixed(3);
  }
  const azn = (Number(usdS) * 1.7).toFixed(2);
  return { netS, grossS: gross.toFixed(3), usdS, azn, invoice, suppQty, suppUnit };
}

/** One item row of declaration `d` (number, date), in DECLARATION_COLUMNS order. */
function itemRow(
  rng: Prng,
  p: Profile,
  d: DeclDraw,
  head: { number: string; date: string; omitMode: boolean },
  item: number,
): string[] {
  const choice = item === 1 ? d.first : p.headings.pick(rng);
  const hs = choice.codes.length === 1 ? choice.codes[0] : rng.pick(choice.codes);
  const a = drawAmounts(rng, p, choice, d.rate);
  let origin: string;
  if (d.exp) origin = rng.chance(0.93) ? 'AZ' : rng.chance(0.5) ? 'TR' : 'RU';
  else origin = rng.chance(0.82) ? d.partner : d.partner === 'CN' ? 'VN' : rng.chance(0.6) ? 'CN' : 'TR';
  const row: string[] = new Array(DECLARATION_COLUMNS.length);
  row[COL.declaration_number] = head.number;
  row[COL.item_number] = String(item);
  row[COL.registration_date] = head.date;
  row[COL.direction] = d.exp ? 'EX' : 'IM';
  row[COL.declarant_voen] = p.voen;
  row[COL.declarant_fin] = p.fin;
  row[COL.declarant_gooen] = p.gooen;
  row[COL.declarant_name] = p.name;
  row[COL.customs_post_code] = d.post;
  row[COL.procedure_code] = d.procedure;
  row[COL.hs_code] = hs;
  row[COL.description] = choice.description;
  row[COL.origin_country] = rng.chance(0.02) ? '' : origin;
  row[COL.partner_country] = d.partner;
  row[COL.transport_mode] = head.omitMode ? '' : d.mode;
  row[COL.net_weight_kg] = a.netS;
  row[COL.gross_weight_kg] = a.grossS;
  row[COL.supplementary_quantity] = a.suppQty;
  row[COL.supplementary_unit] = a.suppUnit;
  row[COL.invoice_value] = a.invoice;
  row[COL.invoice_currency] = a.invoice === '' ? '' : d.currency;
  row[COL.customs_value_azn] = a.azn;
  row[COL.statistical_value_usd] = a.usdS;
  return row;
}

/** The date of a day number as YYYY-MM-DD and as ddmmyy (for declaration numbers), the last one kept. */
class DayLabels {
  private day = -1;
  date = '';
  ddmmyy = '';

  set(day: number): void {
    if (day === this.day) return;
    this.day = day;
    const d = new Date(day * DAY_MS).toISOString();
    this.date = d.slice(0, 10);
    this.ddmmyy = d.slice(8, 10) + d.slice(5, 7) + d.slice(2, 4);
  }
}

/**
 * The rows of a generated file, in DECLARATION_COLUMNS order (strings; empty = absent).
 * Rows of one declaration are consecutive; declarations are in date order.
 */
export function* generateDeclarations(opts: GenerateOptions): Generator<string[]> {
  const { fromDay, days } = validateOptions(opts);
  const profiles = makeProfiles(opts);
  const activity = new WeightedPicker(profiles, zipfWeights(profiles.length, 1.05));
  const rng = new Prng(hashString(`rows:${opts.seed}`));
  // Declaration numbers: <post>/<ddmmyy>/<2 letters of the seed><7-digit sequence>, unique per seed.
  const seedTag = String.fromCharCode(
    65 + (hashString(`tag:${opts.seed}`) % 26),
    65 + ((hashString(`tag:${opts.seed}`) >>> 8) % 26),
  );
  const total = opts.items;
  const labels = new DayLabels();
  let emitted = 0;
  let seq = 0;
  while (emitted < total) {
    const p = activity.pick(rng);
    // Chronological: the date follows the position in the file.
    labels.set(fromDay + Math.floor((emitted / total) * days));
    const d = drawDeclaration(rng, p);
    const number = `${d.post}/${labels.ddmmyy}/${seedTag}${String(++seq).padStart(7, '0')}`;
    const nItems = Math.min(ITEM_COUNT.pick(rng), total - emitted);
    const head = { number, date: labels.date, omitMode: rng.chance(0.02) };
    for (let item = 1; item <= nItems; item++) yield itemRow(rng, p, d, head, item);
    emitted += nItems;
  }
}

function pickWeighted(rng: Prng, table: ReadonlyArray<readonly [string, number]>): string {
  let total = 0;
  for (const t of table) total += t[1];
  let x = rng.next() * total;
  for (const t of table) {
    x -= t[1];
    if (x < 0) return t[0];
  }
  return table[table.length - 1][0];
}

/** The generated file as CSV text (header first), streamed in ~256 KiB chunks. */
export function generateDeclarationsCsv(opts: GenerateOptions): Readable {
  validateOptions(opts);
  const rows = generateDeclarations(opts);
  // Only the declarant and description columns can need quoting (the others are generated
  // codes and numbers); their values repeat, so each is quoted once. Plain RFC 4180, without the
  // formula guard of reportCsvCell (src/shared/csv-cell.ts): this is import data, not a report,
  // and a value must reach the importer exactly as generated.
  const quoted = new Map<string, string>();
  const text = (v: string) => {
    let q = quoted.get(v);
    if (q === undefined) {
      q = csvField(v);
      if (quoted.size < 100_000) quoted.set(v, q);
    }
    return q;
  };
  const free = new Set<number>([
    COL.declarant_voen,
    COL.declarant_fin,
    COL.declarant_gooen,
    COL.declarant_name,
    COL.description,
  ]);
  const isFree = DECLARATION_COLUMNS.map((_, i) => free.has(i));
  let headerSent = false;
  let done = false;
  return new Readable({
    highWaterMark: 1 << 20,
    read() {
      if (done) return;
      let chunk = '';
      if (!headerSent) {
        chunk = DECLARATION_CSV_HEADER + '\n';
        headerSent = true;
      }
      while (chunk.length < 256 * 1024) {
        const r = rows.next();
        if (r.done) {
          done = true;
          break;
        }
        const f = r.value;
        let line = f[0];
        for (let i = 1; i < f.length; i++) line += ',' + (isFree[i] ? text(f[i]) : f[i]);
        chunk += line + '\n';
      }
      if (chunk.length > 0) this.push(chunk, 'utf8');
      if (done) this.push(null);
    },
  });
}
