/**
 * The participants of a generated file (generate.ts): identities (VÖEN, FIN, GÖÖEN, names) and
 * trading profiles (headings, partner countries, home customs posts, consignment size).
 */
import {
  COMPANY_FORMS,
  COMPANY_WORDS,
  EXPORT_PARTNERS,
  EXTRA_NAMES,
  FIN_CHARS,
  FIRST_NAMES_F,
  FIRST_NAMES_M,
  HEADINGS,
  HEADING_BY_CODE,
  HOME_POSTS,
  IMPORT_PARTNERS,
  KNOWN_HEADINGS,
  NAMES,
  PERSON_HEADINGS,
  SECTOR_PICKER,
  SECTOR_WORDS,
  SURNAMES,
  type Heading,
  type Sector,
} from './generate-data';
import { Prng, WeightedPicker, hashString, zipfWeights } from './prng';

export interface ParticipantIdentity {
  voen?: string;
  fin?: string;
  gooen?: string;
  name: string;
}

/** What the participants depend on (not the item count: files of any size share their traders). */
export interface ProfileOptions {
  /** Number of distinct declarants (at least the length of participantsList). */
  participants: number;
  seed: number;
  /**
   * Fixed identities placed at the top activity ranks (the first entry is the most active);
   * the remaining participants are generated from the seed.
   */
  participantsList?: ReadonlyArray<ParticipantIdentity>;
}

export interface Profile {
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

export interface HeadingChoice {
  heading: Heading;
  /** The trader's own 10-digit codes under the heading. */
  codes: ReadonlyArray<string>;
  description: string;
  exportShare: number;
}

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

/** Who a participant is: identifiers and name ('' for a company, named after its sector later). */
interface Identity {
  voen: string;
  fin: string;
  gooen: string;
  name: string;
  person: boolean;
}

/** Draws identifiers not drawn before (nor given in participantsList). */
class UniqueIds {
  readonly voen = new Set<string>();
  readonly fin = new Set<string>();

  constructor(fixed: ReadonlyArray<ParticipantIdentity>) {
    for (const f of fixed) {
      if (f.voen) this.voen.add(f.voen);
      if (f.fin) this.fin.add(f.fin);
    }
  }

  draw(used: Set<string>, make: () => string): string {
    for (;;) {
      const v = make();
      if (!used.has(v)) {
        used.add(v);
        return v;
      }
    }
  }
}

function fixedIdentity(f: ParticipantIdentity): Identity {
  const voen = f.voen ?? '';
  const fin = f.fin ?? '';
  const gooen = f.gooen ?? '';
  return { voen, fin, gooen, name: f.name, person: fin !== '' || (voen === '' && gooen !== '') };
}

/** A generated identity: mostly companies; entrepreneurs (VÖEN and FIN), FIN-only persons, or GÖÖEN-only. */
function drawIdentity(r: Prng, gooenOnly: boolean, ids: UniqueIds): Identity {
  const kind = gooenOnly ? 'gooen' : r.next() < 0.86 ? 'company' : r.next() < 0.5 ? 'entrepreneur' : 'fin';
  const female = r.chance(0.4);
  const first = r.pick(female ? FIRST_NAMES_F : FIRST_NAMES_M);
  const surname = r.pick(SURNAMES) + (female ? 'a' : '');
  const id: Identity = { voen: '', fin: '', gooen: '', name: `${first} ${surname}`, person: kind !== 'company' };
  if (kind === 'company') {
    // The last VÖEN digit: 1 for legal entities, 2 for individuals.
    id.voen = ids.draw(ids.voen, () => `${r.int(1, 9)}${digits(r, 8)}1`);
    id.name = ''; // named after its sector
  } else if (kind === 'entrepreneur') {
    id.voen = ids.draw(ids.voen, () => `${r.int(1, 9)}${digits(r, 8)}2`);
    id.fin = ids.draw(ids.fin, () => finCode(r));
  } else if (kind === 'fin') {
    id.fin = ids.draw(ids.fin, () => finCode(r));
  } else {
    id.gooen = `G${digits(r, 9)}`;
  }
  return id;
}

/**
 * A company's headings: its sector's, sometimes a few of a second sector, rarely one the reference
 * list does not know.
 */
function companyHeadings(r: Prng, sector: Sector): WeightedPicker<HeadingChoice> {
  const primary = HEADINGS.filter((x) => x.sector === sector && KNOWN_HEADINGS.has(x.code));
  const count = r.int(2, 6);
  const secondarySector = SECTOR_PICKER.pick(r);
  const pool = r.chance(0.35)
    ? [...primary, ...HEADINGS.filter((x) => x.sector === secondarySector && KNOWN_HEADINGS.has(x.code)).slice(0, 3)]
    : primary;
  const unknown = HEADINGS.filter((x) => x.sector === sector && !KNOWN_HEADINGS.has(x.code));
  const rare = unknown.length > 0 && r.chance(0.15) ? r.pick(unknown) : undefined;
  return buildHeadingChoices(r, pool, count, false, rare);
}

/** The trading profile of one participant, drawn from its own stream `r`. */
function makeProfile(r: Prng, id: Identity, generated: boolean): Profile {
  const sector = SECTOR_PICKER.pick(r);
  // A generated company is named after its trade.
  const name =
    generated && !id.person
      ? `${r.pick(COMPANY_WORDS)} ${r.pick(SECTOR_WORDS[sector])} ${r.pick(COMPANY_FORMS)}`
      : id.name;
  const headings = id.person ? buildHeadingChoices(r, PERSON_POOL, r.int(1, 3), true) : companyHeadings(r, sector);
  const homeCount = r.chance(0.7) ? 1 : 2;
  const posts = subsetPicker(r, HOME_POSTS, homeCount);
  return {
    voen: id.voen,
    fin: id.fin,
    gooen: id.gooen,
    name,
    person: id.person,
    headings,
    importPartners: subsetPicker(r, IMPORT_PARTNERS, r.int(1, 4)),
    exportPartners: subsetPicker(r, EXPORT_PARTNERS, r.int(1, 4)),
    posts,
    scale: id.person ? 0.02 * r.logNormal(1, 0.5) : r.logNormal(1, 0.8),
  };
}

const PERSON_POOL = PERSON_HEADINGS.map((c) => HEADING_BY_CODE.get(c)!);

/**
 * The participants of a file, most active first: the fixed identities, then generated ones.
 * Each draws from its own stream forked from the seed, so they do not depend on the item count.
 */
export function makeProfiles(opts: ProfileOptions): Profile[] {
  const rng = new Prng(hashString(`participants:${opts.seed}`));
  const fixed = opts.participantsList ?? [];
  const n = Math.max(opts.participants, fixed.length, 1);
  const ids = new UniqueIds(fixed);
  // One GÖÖEN-only person, in the long tail (not among the fixed identities).
  const gooenRank = n > fixed.length ? fixed.length + Math.floor((n - fixed.length) * 0.6) : -1;
  const profiles: Profile[] = [];
  for (let i = 0; i < n; i++) {
    const r = rng.fork();
    const id = i < fixed.length ? fixedIdentity(fixed[i]) : drawIdentity(r, i === gooenRank, ids);
    profiles.push(makeProfile(r, id, i >= fixed.length));
  }
  return profiles;
}

function finCode(r: Prng): string {
  let s = '';
  for (let i = 0; i < 7; i++) s += FIN_CHARS[r.int(0, FIN_CHARS.length - 1)];
  return s;
}
