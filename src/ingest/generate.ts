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
import { HS_HEADINGS } from '../db/reference/data';
import { COL, DECLARATION_COLUMNS, DECLARATION_CSV_HEADER, csvField } from './columns';
import { Prng, WeightedPicker, hashString, zipfWeights } from './prng';

export interface ParticipantIdentity {
  voen?: string;
  fin?: string;
  gooen?: string;
  name: string;
}

export interface GenerateOptions {
  /** Number of item rows to write. */
  items: number;
  /** Number of distinct declarants (at least the length of participantsList). */
  participants: number;
  seed: number;
  /** First registration date, YYYY-MM-DD (default 2021-01-01). */
  from?: string;
  /** Last registration date, YYYY-MM-DD (default 2025-12-31). */
  to?: string;
  /**
   * Fixed identities placed at the top activity ranks (the first entry is the most active);
   * the remaining participants are generated from the seed.
   */
  participantsList?: ReadonlyArray<ParticipantIdentity>;
}

export { DECLARATION_COLUMNS, DECLARATION_CSV_HEADER };

type Sector =
  | 'food'
  | 'agro_export'
  | 'fuel'
  | 'chemicals'
  | 'construction'
  | 'metals'
  | 'machinery'
  | 'electronics'
  | 'vehicles'
  | 'textiles'
  | 'consumer';

interface Heading {
  code: string;
  sector: Sector;
  /** Median price, USD per kg. */
  price: number;
  /** Median net weight of one item, kg. */
  netKg: number;
  /** Supplementary unit and kilograms per unit. */
  supp?: readonly [string, number];
  /** Share of export declarations among traders of this heading. */
  exportShare: number;
}

const NAMES = new Map(HS_HEADINGS.map(([c, n]) => [c, n] as const));
const KNOWN_HEADINGS = new Set(NAMES.keys());

/**
 * The headings the generator draws from: every heading of the reference list, plus a few that
 * the reference list does not know (0409, 1006, 3926, 8450, 8711, 9401: imported and flagged in
 * unknown_reference), which some traders carry as their least-traded line (about 1–2 % of rows).
 */
const HEADINGS: ReadonlyArray<Heading> = [
  // food (imports)
  h('0201', 'food', 4.5, 8000),
  h('0207', 'food', 2.2, 15000),
  h('0402', 'food', 3, 10000),
  h('0406', 'food', 5, 5000),
  h('0805', 'food', 0.7, 18000),
  h('0902', 'food', 4, 5000),
  h('1001', 'food', 0.25, 60000),
  h('1101', 'food', 0.35, 20000),
  h('1512', 'food', 1.3, 18000),
  h('1701', 'food', 0.55, 25000),
  h('2009', 'food', 1.5, 10000, ['l', 1.05]),
  h('2202', 'food', 0.8, 12000, ['l', 1.0]),
  h('2208', 'food', 8, 3000, ['l', 1.1]),
  h('2402', 'food', 25, 2000, ['pcs', 0.0008]),
  h('0409', 'food', 5, 2000),
  h('1006', 'food', 0.5, 25000),
  // agricultural exports
  h('0701', 'agro_export', 0.3, 20000, undefined, 0.5),
  h('0702', 'agro_export', 0.8, 18000, undefined, 0.9),
  h('0802', 'agro_export', 6, 10000, undefined, 0.95),
  h('0806', 'agro_export', 1.5, 8000, undefined, 0.6),
  h('0808', 'agro_export', 0.8, 18000, undefined, 0.5),
  h('0810', 'agro_export', 1.2, 15000, undefined, 0.85),
  h('2204', 'agro_export', 4, 5000, ['l', 1.3], 0.4),
  h('5201', 'agro_export', 1.7, 20000, undefined, 0.95),
  // fuel
  h('2709', 'fuel', 0.55, 900000, undefined, 1),
  h('2710', 'fuel', 0.8, 120000, ['l', 0.85], 0.6),
  h('2711', 'fuel', 0.3, 400000, undefined, 0.9),
  // chemicals
  h('2804', 'chemicals', 2, 3000),
  h('3004', 'chemicals', 40, 500),
  h('3105', 'chemicals', 0.35, 50000, undefined, 0.3),
  h('3208', 'chemicals', 3, 3000),
  h('3304', 'chemicals', 20, 800),
  h('3402', 'chemicals', 1.5, 8000),
  h('3901', 'chemicals', 1.2, 20000, undefined, 0.7),
  h('3917', 'chemicals', 3, 3000),
  h('3923', 'chemicals', 2.5, 4000),
  h('3926', 'chemicals', 4, 1500),
  // construction materials
  h('2523', 'construction', 0.08, 60000, undefined, 0.2),
  h('4407', 'construction', 0.35, 25000, ['m3', 600]),
  h('6908', 'construction', 0.5, 20000, ['m2', 20]),
  h('7005', 'construction', 0.5, 20000, ['m2', 25]),
  h('4819', 'construction', 1.2, 5000),
  // metals
  h('7108', 'metals', 55000, 8, ['g', 0.001], 0.9),
  h('7208', 'metals', 0.7, 40000),
  h('7214', 'metals', 0.65, 40000),
  h('7304', 'metals', 1.5, 25000),
  h('7308', 'metals', 2, 15000),
  h('7601', 'metals', 2.4, 20000, undefined, 0.8),
  // machinery
  h('8414', 'machinery', 25, 300, ['pcs', 30]),
  h('8418', 'machinery', 5, 2000, ['pcs', 60]),
  h('8429', 'machinery', 12, 15000, ['pcs', 15000]),
  h('8481', 'machinery', 15, 500),
  h('8544', 'machinery', 5, 3000),
  h('9018', 'machinery', 60, 200),
  // electronics
  h('8471', 'electronics', 60, 300, ['pcs', 2.5]),
  h('8517', 'electronics', 300, 80, ['pcs', 0.25]),
  h('8528', 'electronics', 12, 1500, ['pcs', 12]),
  h('8450', 'electronics', 4, 3000, ['pcs', 65]),
  // vehicles
  h('4011', 'vehicles', 3.5, 5000, ['pcs', 12]),
  h('8703', 'vehicles', 12, 1500, ['pcs', 1400]),
  h('8704', 'vehicles', 8, 5000, ['pcs', 5000]),
  h('8708', 'vehicles', 8, 1000),
  h('8711', 'vehicles', 6, 1000, ['pcs', 120]),
  // textiles and consumer goods
  h('5701', 'textiles', 30, 200, ['m2', 3], 0.5),
  h('6109', 'textiles', 15, 800, ['pcs', 0.2]),
  h('6203', 'textiles', 25, 500, ['pcs', 0.8]),
  h('6403', 'textiles', 30, 400, ['pair', 0.9]),
  h('9403', 'consumer', 3, 3000),
  h('9401', 'consumer', 4, 2000, ['pcs', 8]),
];

function h(
  code: string,
  sector: Sector,
  price: number,
  netKg: number,
  supp?: readonly [string, number],
  exportShare = 0.03,
): Heading {
  return { code, sector, price, netKg, supp, exportShare };
}

const EXTRA_NAMES: Record<string, string> = {
  '0409': 'Natural honey',
  '1006': 'Rice',
  '3926': 'Other articles of plastics',
  '8450': 'Household washing machines',
  '8711': 'Motorcycles',
  '9401': 'Seats',
};

/** How common each sector is among companies (weights). */
const SECTOR_WEIGHTS: ReadonlyArray<readonly [Sector, number]> = [
  ['food', 22],
  ['agro_export', 8],
  ['fuel', 2],
  ['chemicals', 10],
  ['construction', 14],
  ['metals', 8],
  ['machinery', 10],
  ['electronics', 9],
  ['vehicles', 9],
  ['textiles', 6],
  ['consumer', 6],
];
/** Headings individuals import or export. */
const PERSON_HEADINGS = ['8703', '8517', '8471', '6403', '3304', '9403', '0802', '8528'];

/** Partner countries for imports and for exports (weights). */
const IMPORT_PARTNERS: ReadonlyArray<readonly [string, number]> = [
  ['TR', 18],
  ['RU', 16],
  ['CN', 14],
  ['GE', 6],
  ['IR', 6],
  ['DE', 6],
  ['IT', 4],
  ['KZ', 4],
  ['UA', 4],
  ['US', 4],
  ['AE', 4],
  ['BY', 2],
  ['KR', 2],
  ['JP', 2],
  ['FR', 2],
  ['GB', 2],
  ['IN', 1.5],
  ['UZ', 1.5],
  ['TM', 1.2],
  ['PL', 1],
  ['NL', 1],
  ['ES', 1],
  ['CH', 0.8],
  ['BR', 0.6],
  ['EG', 0.5],
  ['MY', 0.5],
];
const EXPORT_PARTNERS: ReadonlyArray<readonly [string, number]> = [
  ['IT', 14],
  ['TR', 12],
  ['RU', 12],
  ['GE', 8],
  ['IL', 5],
  ['IN', 4],
  ['CZ', 3],
  ['HR', 3],
  ['DE', 3],
  ['UA', 3],
  ['KZ', 2.5],
  ['BY', 2],
  ['GR', 2],
  ['ES', 2],
  ['PT', 1.5],
  ['TM', 1.5],
  ['UZ', 1.5],
  ['AE', 1.5],
  ['US', 1],
  ['CN', 1],
  ['TH', 0.8],
  ['ID', 0.8],
  ['FR', 0.8],
];
/** Neighbours and Caspian partners: mostly road and rail. */
const NEAR = new Set(['TR', 'RU', 'GE', 'IR', 'KZ', 'TM', 'UZ', 'BY', 'UA']);

/** Invoice currency by partner (weights), and rough units per US dollar. */
const RATES: Record<string, number> = {
  USD: 1,
  EUR: 0.92,
  TRY: 30,
  RUB: 90,
  CNY: 7.1,
  GEL: 2.7,
  AZN: 1.7,
  GBP: 0.79,
  AED: 3.67,
};
const EUROZONE = new Set(['DE', 'IT', 'FR', 'NL', 'ES', 'CZ', 'HR', 'GR', 'PT', 'PL']);
function currencyOptions(partner: string): ReadonlyArray<readonly [string, number]> {
  if (EUROZONE.has(partner))
    return [
      ['EUR', 6],
      ['USD', 4],
    ];
  switch (partner) {
    case 'TR':
      return [
        ['USD', 6],
        ['EUR', 2],
        ['TRY', 2],
      ];
    case 'RU':
    case 'BY':
    case 'KZ':
      return [
        ['USD', 5],
        ['RUB', 4],
        ['AZN', 1],
      ];
    case 'CN':
      return [
        ['USD', 8],
        ['CNY', 2],
      ];
    case 'GE':
      return [
        ['USD', 6],
        ['GEL', 2],
        ['AZN', 2],
      ];
    case 'GB':
      return [
        ['GBP', 5],
        ['USD', 5],
      ];
    case 'AE':
      return [
        ['USD', 7],
        ['AED', 3],
      ];
    default:
      return [
        ['USD', 9],
        ['EUR', 1],
      ];
  }
}

/** Inland "home" posts (weights) and border posts by partner / transport. */
const HOME_POSTS: ReadonlyArray<readonly [string, number]> = [
  ['10100', 40],
  ['20100', 12],
  ['30100', 10],
  ['10300', 8],
  ['10200', 5],
  ['40100', 4],
  ['50100', 3],
  ['30200', 3],
  ['60100', 2],
  ['40200', 2],
];
function borderPost(partner: string, mode: string): string {
  if (mode === '1') return '10300';
  if (mode === '4' || mode === '5') return '10200';
  if (mode === '7') return '10100';
  switch (partner) {
    case 'RU':
    case 'BY':
    case 'UA':
    case 'KZ':
      return '50100';
    case 'GE':
      return '30200';
    case 'TR':
      return mode === '2' ? '30200' : '60100';
    case 'IR':
      return '40100';
    default:
      return mode === '2' ? '30200' : '10100';
  }
}

const COMPANY_WORDS = [
  'Xəzər',
  'Abşeron',
  'Qafqaz',
  'Şirvan',
  'Gəncə',
  'Araz',
  'Kür',
  'Naxçıvan',
  'Şəki',
  'Quba',
  'Lənkəran',
  'Qarabağ',
  'Günəş',
  'Ulduz',
  'Azər',
  'Bakı',
  'Sahil',
  'Dəniz',
  'Körpü',
  'Yol',
  'İpək',
  'Atlas',
  'Mega',
  'Global',
  'Delta',
  'Vektor',
  'Nova',
  'Ekspress',
];
const SECTOR_WORDS: Record<Sector, ReadonlyArray<string>> = {
  food: ['Qida', 'Ərzaq', 'Food', 'Aqro', 'Süd'],
  agro_export: ['Aqro', 'Meyvə', 'Fındıq', 'Bağ', 'Pambıq'],
  fuel: ['Neft', 'Enerji', 'Qaz', 'Petrol'],
  chemicals: ['Kimya', 'Plast', 'Farm', 'Kosmetika'],
  construction: ['Tikinti', 'İnşaat', 'Sement', 'Mebel'],
  metals: ['Metal', 'Polad', 'Alüminium'],
  machinery: ['Texnika', 'Maşın', 'Avadanlıq', 'Mühəndis'],
  electronics: ['Elektronika', 'Texno', 'Digital', 'IT'],
  vehicles: ['Avto', 'Motors', 'Nəqliyyat', 'Təkər'],
  textiles: ['Tekstil', 'Moda', 'Xalça', 'Geyim'],
  consumer: ['Ticarət', 'Mebel', 'Ev', 'Market'],
};
const COMPANY_FORMS = ['MMC', 'MMC', 'MMC', 'MMC', 'ASC', 'QSC', 'MMC', '"Ltd" MMC'];
const FIRST_NAMES_F = ['Aysel', 'Leyla', 'Nigar', 'Günel', 'Səbinə', 'Aytən', 'Könül', 'Zərifə', 'Lalə', 'Sevinc'];
const FIRST_NAMES_M = ['Elvin', 'Rəşad', 'Orxan', 'Tural', 'Kamran', 'Ramil', 'Vüqar', 'Anar', 'Elşən', 'Fuad'];
const SURNAMES = [
  'Məmmədov',
  'Əliyev',
  'Həsənov',
  'Hüseynov',
  'Quliyev',
  'İsmayılov',
  'Abbasov',
  'Rzayev',
  'Cəfərov',
  'Nəsirov',
  'Babayev',
  'Kərimov',
];
const FIN_CHARS = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ';

interface Profile {
  voen: string;
  fin: string;
  gooen: string;
  name: string;
  person: boolean;
  headings: WeightedPicker<HeadingChoice>;
  importPartners: WeightedPicker<string>;
  exportPartners: WeightedPicker<string>;
  posts: WeightedPicker<string>;
  /** Size multiplier of this trader's consignments. */
  scale: number;
}

interface HeadingChoice {
  heading: Heading;
  /** The trader's own 10-digit codes under the heading. */
  codes: ReadonlyArray<string>;
  description: string;
  exportShare: number;
}

const HEADING_BY_CODE = new Map(HEADINGS.map((x) => [x.code, x]));

function digits(rng: Prng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(48 + rng.int(0, 9));
  return s;
}

function buildHeadingChoices(
  rng: Prng,
  pool: ReadonlyArray<Heading>,
  count: number,
  person: boolean,
  rare?: Heading,
): WeightedPicker<HeadingChoice> {
  const chosen: Heading[] = [];
  const candidates = [...pool];
  while (chosen.length < count && candidates.length > 0) {
    chosen.push(candidates.splice(rng.int(0, candidates.length - 1), 1)[0]);
  }
  // A heading the reference list does not know, if any, comes last (least traded).
  if (rare) chosen.push(rare);
  const choices = chosen.map((heading): HeadingChoice => {
    const nCodes = rng.int(1, 3);
    const codes: string[] = [];
    for (let i = 0; i < nCodes; i++) {
      // Subheading (2 digits) + national subdivisions (4 digits); "00" endings are common.
      const sub = rng.chance(0.4) ? '00' : `${rng.int(1, 9)}${rng.chance(0.6) ? '0' : rng.int(1, 9)}`;
      codes.push(heading.code + sub + (rng.chance(0.5) ? '0000' : `${rng.int(0, 9)}${rng.int(0, 9)}00`));
    }
    const base = NAMES.get(heading.code) ?? EXTRA_NAMES[heading.code] ?? `Goods of heading ${heading.code}`;
    const description = rng.chance(0.3)
      ? `${base}, ${rng.pick(['new', 'assorted', 'in bulk', 'packed', 'grade "A"', 'for retail sale'])}`
      : base;
    const exportShare = person ? (heading.code === '0802' ? 0.9 : 0.02) : heading.exportShare;
    return { heading, codes, description, exportShare };
  });
  return new WeightedPicker(choices, zipfWeights(choices.length, 1.2));
}

function subsetPicker(
  rng: Prng,
  table: ReadonlyArray<readonly [string, number]>,
  count: number,
): WeightedPicker<string> {
  const global = new WeightedPicker(
    table.map((t) => t[0]),
    table.map((t) => t[1]),
  );
  const chosen: string[] = [];
  for (let guard = 0; chosen.length < count && guard < 200; guard++) {
    const c = global.pick(rng);
    if (!chosen.includes(c)) chosen.push(c);
  }
  return new WeightedPicker(chosen, zipfWeights(chosen.length, 1.3));
}

function makeProfiles(opts: GenerateOptions): Profile[] {
  const rng = new Prng(hashString(`participants:${opts.seed}`));
  const fixed = opts.participantsList ?? [];
  const n = Math.max(opts.participants, fixed.length, 1);
  const sectorPicker = new WeightedPicker(
    SECTOR_WEIGHTS.map((s) => s[0]),
    SECTOR_WEIGHTS.map((s) => s[1]),
  );
  const personPool = PERSON_HEADINGS.map((c) => HEADING_BY_CODE.get(c)!);
  const usedVoen = new Set<string>();
  const usedFin = new Set<string>();
  const uniqueId = (used: Set<string>, make: () => string) => {
    for (;;) {
      const v = make();
      if (!used.has(v)) {
        used.add(v);
        return v;
      }
    }
  };
  for (const f of fixed) {
    if (f.voen) usedVoen.add(f.voen);
    if (f.fin) usedFin.add(f.fin);
  }
  // One GÖÖEN-only person, in the long tail (not among the fixed identities).
  const gooenRank = n > fixed.length ? fixed.length + Math.floor((n - fixed.length) * 0.6) : -1;
  const profiles: Profile[] = [];
  for (let i = 0; i < n; i++) {
    const r = rng.fork();
    const f = i < fixed.length ? fixed[i] : undefined;
    let voen = '';
    let fin = '';
    let gooen = '';
    let name: string;
    let person: boolean;
    if (f) {
      voen = f.voen ?? '';
      fin = f.fin ?? '';
      gooen = f.gooen ?? '';
      name = f.name;
      person = fin !== '' || (voen === '' && gooen !== '');
    } else {
      const kind = i === gooenRank ? 'gooen' : r.next() < 0.86 ? 'company' : r.next() < 0.5 ? 'entrepreneur' : 'fin';
      person = kind !== 'company';
      const female = r.chance(0.4);
      const first = r.pick(female ? FIRST_NAMES_F : FIRST_NAMES_M);
      const surname = r.pick(SURNAMES) + (female ? 'a' : '');
      if (kind === 'company') {
        // The last VÖEN digit: 1 for legal entities, 2 for individuals.
        voen = uniqueId(usedVoen, () => `${r.int(1, 9)}${digits(r, 8)}1`);
        name = ''; // named after its sector below
      } else if (kind === 'entrepreneur') {
        voen = uniqueId(usedVoen, () => `${r.int(1, 9)}${digits(r, 8)}2`);
        fin = uniqueId(usedFin, () => finCode(r));
        name = `${first} ${surname}`;
      } else if (kind === 'fin') {
        fin = uniqueId(usedFin, () => finCode(r));
        name = `${first} ${surname}`;
      } else {
        gooen = `G${digits(r, 9)}`;
        name = `${first} ${surname}`;
      }
    }
    const sector = sectorPicker.pick(r);
    if (!f && !person) {
      // Company name reflecting its trade.
      name = `${r.pick(COMPANY_WORDS)} ${r.pick(SECTOR_WORDS[sector])} ${r.pick(COMPANY_FORMS)}`;
    }
    let headings: WeightedPicker<HeadingChoice>;
    if (person) {
      headings = buildHeadingChoices(r, personPool, r.int(1, 3), true);
    } else {
      const primary = HEADINGS.filter((x) => x.sector === sector && KNOWN_HEADINGS.has(x.code));
      const count = r.int(2, 6);
      const secondarySector = sectorPicker.pick(r);
      const pool = r.chance(0.35)
        ? [
            ...primary,
            ...HEADINGS.filter((x) => x.sector === secondarySector && KNOWN_HEADINGS.has(x.code)).slice(0, 3),
          ]
        : primary;
      const unknown = HEADINGS.filter((x) => x.sector === sector && !KNOWN_HEADINGS.has(x.code));
      const rare = unknown.length > 0 && r.chance(0.15) ? r.pick(unknown) : undefined;
      headings = buildHeadingChoices(r, pool, count, false, rare);
    }
    const homeCount = r.chance(0.7) ? 1 : 2;
    const posts = subsetPicker(r, HOME_POSTS, homeCount);
    profiles.push({
      voen,
      fin,
      gooen,
      name,
      person,
      headings,
      importPartners: subsetPicker(r, IMPORT_PARTNERS, r.int(1, 4)),
      exportPartners: subsetPicker(r, EXPORT_PARTNERS, r.int(1, 4)),
      posts,
      scale: person ? 0.02 * r.logNormal(1, 0.5) : r.logNormal(1, 0.8),
    });
  }
  return profiles;
}

function finCode(r: Prng): string {
  let s = '';
  for (let i = 0; i < 7; i++) s += FIN_CHARS[r.int(0, FIN_CHARS.length - 1)];
  return s;
}

const DAY_MS = 86_400_000;

function parseDay(s: string, name: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  const t = m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) : NaN;
  if (!m || Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== s) {
    throw new Error(`${name}: expected a date YYYY-MM-DD, got "${s}"`);
  }
  return Math.floor(t / DAY_MS);
}

/** Items per declaration: 1–8, mostly 1 or 2. */
const ITEM_COUNT = new WeightedPicker([1, 2, 3, 4, 5, 6, 7, 8], [46, 22, 12, 7, 5, 3.5, 2.5, 2]);
const MODES_NEAR = new WeightedPicker(['3', '2', '1', '4', '5'], [60, 22, 8, 8, 2]);
const MODES_FAR = new WeightedPicker(['3', '2', '1', '4', '5'], [34, 24, 20, 20, 2]);
const IM_PROCEDURES = new WeightedPicker(['40', '51', '53', '71', '78', '61'], [88, 3, 3, 3, 2, 1]);
const EX_PROCEDURES = new WeightedPicker(['10', '21', '23', '31'], [90, 3, 3, 4]);

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
  let emitted = 0;
  let seq = 0;
  let dayCache = -1;
  let dateStr = '';
  let ddmmyy = '';
  while (emitted < total) {
    const p = activity.pick(rng);
    // Chronological: the date follows the position in the file, with a little jitter.
    let day = fromDay + Math.floor((emitted / total) * days);
    if (day !== dayCache) {
      dayCache = day;
      const d = new Date(day * DAY_MS).toISOString();
      dateStr = d.slice(0, 10);
      ddmmyy = d.slice(8, 10) + d.slice(5, 7) + d.slice(2, 4);
    }
    day = dayCache;
    const first = p.headings.pick(rng);
    const exp = rng.chance(first.exportShare);
    const direction = exp ? 'EX' : 'IM';
    const partner = (exp ? p.exportPartners : p.importPartners).pick(rng);
    let mode: string;
    const code2 = first.heading.code;
    if (code2 === '2709' || code2 === '2711') mode = rng.chance(0.8) ? '7' : '1';
    else mode = (NEAR.has(partner) ? MODES_NEAR : MODES_FAR).pick(rng);
    if (first.heading.price > 150 && rng.chance(0.6)) mode = '4';
    const post = rng.chance(0.7) ? p.posts.pick(rng) : borderPost(partner, mode);
    const procedure = (exp ? EX_PROCEDURES : IM_PROCEDURES).pick(rng);
    const currency = pickWeighted(rng, currencyOptions(partner));
    const rate = RATES[currency] ?? 1;
    const number = `${post}/${ddmmyy}/${seedTag}${String(++seq).padStart(7, '0')}`;
    const nItems = Math.min(ITEM_COUNT.pick(rng), total - emitted);
    const omitMode = rng.chance(0.02);
    for (let item = 1; item <= nItems; item++) {
      const choice = item === 1 ? first : p.headings.pick(rng);
      const hd = choice.heading;
      const hs = choice.codes.length === 1 ? choice.codes[0] : rng.pick(choice.codes);
      const net = Math.max(0.1, rng.logNormal(hd.netKg * p.scale, 1.0));
      const gross = net * (1 + 0.01 + rng.next() * 0.11);
      const netS = net.toFixed(3);
      const grossS = gross.toFixed(3);
      const usd = Math.max(1, Number(netS) * rng.logNormal(hd.price, 0.35));
      const usdS = usd.toFixed(2);
      const azn = (Number(usdS) * 1.7).toFixed(2);
      const invoice = rng.chance(0.03) ? '' : (Number(usdS) * rate * (1 + (rng.next() - 0.5) * 0.04)).toFixed(2);
      let suppQty = '';
      let suppUnit = '';
      if (hd.supp) {
        suppUnit = hd.supp[0];
        const q = Number(netS) / hd.supp[1];
        suppQty = suppUnit === 'pcs' || suppUnit === 'pair' ? String(Math.max(1, Math.round(q))) : q.toFixed(3);
      }
      let origin: string;
      if (exp) origin = rng.chance(0.93) ? 'AZ' : rng.chance(0.5) ? 'TR' : 'RU';
      else origin = rng.chance(0.82) ? partner : partner === 'CN' ? 'VN' : rng.chance(0.6) ? 'CN' : 'TR';
      const row: string[] = new Array(DECLARATION_COLUMNS.length);
      row[COL.declaration_number] = number;
      row[COL.item_number] = String(item);
      row[COL.registration_date] = dateStr;
      row[COL.direction] = direction;
      row[COL.declarant_voen] = p.voen;
      row[COL.declarant_fin] = p.fin;
      row[COL.declarant_gooen] = p.gooen;
      row[COL.declarant_name] = p.name;
      row[COL.customs_post_code] = post;
      row[COL.procedure_code] = procedure;
      row[COL.hs_code] = hs;
      row[COL.description] = choice.description;
      row[COL.origin_country] = rng.chance(0.02) ? '' : origin;
      row[COL.partner_country] = partner;
      row[COL.transport_mode] = omitMode ? '' : mode;
      row[COL.net_weight_kg] = netS;
      row[COL.gross_weight_kg] = grossS;
      row[COL.supplementary_quantity] = suppQty;
      row[COL.supplementary_unit] = suppUnit;
      row[COL.invoice_value] = invoice;
      row[COL.invoice_currency] = invoice === '' ? '' : currency;
      row[COL.customs_value_azn] = azn;
      row[COL.statistical_value_usd] = usdS;
      yield row;
    }
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
  // codes and numbers); their values repeat, so each is quoted once.
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
