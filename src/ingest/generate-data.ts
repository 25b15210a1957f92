/**
 * The generator's world (generate.ts): HS headings with prices and weights, sectors, partner
 * countries, currencies, customs posts, names, and the fixed distributions drawn from. Data only;
 * changing a value changes every generated file.
 */
import { HS_HEADINGS } from '../db/reference/data';
import { WeightedPicker } from './prng';

export type Sector =
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

export interface Heading {
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

export const NAMES = new Map(HS_HEADINGS.map(([c, n]) => [c, n] as const));
export const KNOWN_HEADINGS = new Set(NAMES.keys());

/**
 * The headings the generator draws from: every heading of the demo list (HS_HEADINGS), plus a few
 * that list lacks (0409, 1006, 3926, 8450, 8711, 9401), which some traders carry as their least-traded
 * line (about 1–2 % of rows). Those six are real HS 2022 headings, so the importer, which checks the
 * full nomenclature, no longer flags them; it flags 6908 (deleted in HS 2017) instead.
 */
export const HEADINGS: ReadonlyArray<Heading> = [
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

export const EXTRA_NAMES: Record<string, string> = {
  '0409': 'Natural honey',
  '1006': 'Rice',
  '3926': 'Other articles of plastics',
  '8450': 'Household washing machines',
  '8711': 'Motorcycles',
  '9401': 'Seats',
};

/** How common each sector is among companies (weights). */
export const SECTOR_WEIGHTS: ReadonlyArray<readonly [Sector, number]> = [
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
export const PERSON_HEADINGS = ['8703', '8517', '8471', '6403', '3304', '9403', '0802', '8528'];

/** Partner countries for imports and for exports (weights). */
export const IMPORT_PARTNERS: ReadonlyArray<readonly [string, number]> = [
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
export const EXPORT_PARTNERS: ReadonlyArray<readonly [string, number]> = [
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
export const NEAR = new Set(['TR', 'RU', 'GE', 'IR', 'KZ', 'TM', 'UZ', 'BY', 'UA']);

/** Invoice currency by partner (weights), and rough units per US dollar. */
export const RATES: Record<string, number> = {
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
export const EUROZONE = new Set(['DE', 'IT', 'FR', 'NL', 'ES', 'CZ', 'HR', 'GR', 'PT', 'PL']);

type CurrencyMix = ReadonlyArray<readonly [string, number]>;

/** Invoice currencies (weights) by partner country; any other partner: mostly USD. */
// prettier-ignore
const CURRENCY_MIX: Readonly<Record<string, CurrencyMix>> = {
  TR: [['USD', 6], ['EUR', 2], ['TRY', 2]],
  RU: [['USD', 5], ['RUB', 4], ['AZN', 1]],
  BY: [['USD', 5], ['RUB', 4], ['AZN', 1]],
  KZ: [['USD', 5], ['RUB', 4], ['AZN', 1]],
  CN: [['USD', 8], ['CNY', 2]],
  GE: [['USD', 6], ['GEL', 2], ['AZN', 2]],
  GB: [['GBP', 5], ['USD', 5]],
  AE: [['USD', 7], ['AED', 3]],
};
const EURO_MIX: CurrencyMix = [
  ['EUR', 6],
  ['USD', 4],
];
const DEFAULT_MIX: CurrencyMix = [
  ['USD', 9],
  ['EUR', 1],
];

export function currencyOptions(partner: string): CurrencyMix {
  if (EUROZONE.has(partner)) return EURO_MIX;
  return CURRENCY_MIX[partner] ?? DEFAULT_MIX;
}

/** Inland "home" posts (weights) and border posts by partner / transport. */
export const HOME_POSTS: ReadonlyArray<readonly [string, number]> = [
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
export function borderPost(partner: string, mode: string): string {
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

export const COMPANY_WORDS = [
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
export const SECTOR_WORDS: Record<Sector, ReadonlyArray<string>> = {
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
export const COMPANY_FORMS = ['MMC', 'MMC', 'MMC', 'MMC', 'ASC', 'QSC', 'MMC', '"Ltd" MMC'];
export const FIRST_NAMES_F = [
  'Aysel',
  'Leyla',
  'Nigar',
  'Günel',
  'Səbinə',
  'Aytən',
  'Könül',
  'Zərifə',
  'Lalə',
  'Sevinc',
];
export const FIRST_NAMES_M = ['Elvin', 'Rəşad', 'Orxan', 'Tural', 'Kamran', 'Ramil', 'Vüqar', 'Anar', 'Elşən', 'Fuad'];
export const SURNAMES = [
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
export const FIN_CHARS = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ';

export const HEADING_BY_CODE = new Map(HEADINGS.map((x) => [x.code, x]));

/** How common each sector is among companies. */
export const SECTOR_PICKER = new WeightedPicker(
  SECTOR_WEIGHTS.map((s) => s[0]),
  SECTOR_WEIGHTS.map((s) => s[1]),
);

/** Items per declaration: 1–8, mostly 1 or 2. */
export const ITEM_COUNT = new WeightedPicker([1, 2, 3, 4, 5, 6, 7, 8], [46, 22, 12, 7, 5, 3.5, 2.5, 2]);
export const MODES_NEAR = new WeightedPicker(['3', '2', '1', '4', '5'], [60, 22, 8, 8, 2]);
export const MODES_FAR = new WeightedPicker(['3', '2', '1', '4', '5'], [34, 24, 20, 20, 2]);
export const IM_PROCEDURES = new WeightedPicker(['40', '51', '53', '71', '78', '61'], [88, 3, 3, 3, 2, 1]);
export const EX_PROCEDURES = new WeightedPicker(['10', '21', '23', '31'], [90, 3, 3, 4]);
