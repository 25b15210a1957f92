/**
 * npm run generate -- --items N --participants P --seed S [--out FILE] [--from YYYY-MM-DD --to YYYY-MM-DD]
 *
 * Writes a deterministic, realistic declaration CSV (docs/import-format.md) to stdout or FILE.
 * Needs no database.
 */
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { generateDeclarationsCsv } from '../ingest/generate';

const USAGE =
  'usage: npm run generate -- --items N --participants P --seed S [--out FILE] [--from YYYY-MM-DD --to YYYY-MM-DD]';

function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--([a-z]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unexpected argument "${a}"`);
    if (m[1] === 'help') {
      out.help = '1';
      continue;
    }
    const v = m[2] ?? argv[++i];
    if (v === undefined) throw new Error(`--${m[1]} needs a value`);
    out[m[1]] = v;
  }
  return out;
}

function int(args: Record<string, string>, name: string, fallback?: number): number {
  const raw = args[name];
  if (raw === undefined) {
    if (fallback === undefined) throw new Error(`--${name} is required`);
    return fallback;
  }
  if (!/^-?\d+$/.test(raw)) throw new Error(`--${name}: expected an integer, got "${raw}"`);
  return Number(raw);
}

async function main(): Promise<number> {
  let args: Record<string, string>;
  let opts;
  try {
    args = parseArgs(process.argv.slice(2));
    if (args.help) {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    for (const k of Object.keys(args)) {
      if (!['items', 'participants', 'seed', 'out', 'from', 'to'].includes(k)) throw new Error(`unknown option --${k}`);
    }
    opts = {
      items: int(args, 'items'),
      participants: int(args, 'participants', 50),
      seed: int(args, 'seed', 1),
      from: args.from,
      to: args.to,
    };
    generateDeclarationsCsv(opts).destroy(); // validates the options before any output
  } catch (e) {
    process.stderr.write(`generate: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const out = args.out ? fs.createWriteStream(args.out) : process.stdout;
  try {
    await pipeline(generateDeclarationsCsv(opts), out);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EPIPE') return 0;
    process.stderr.write(`generate: ${(e as Error).message}\n`);
    return 1;
  }
  if (args.out) process.stderr.write(`generate: wrote ${opts.items} rows to ${args.out}\n`);
  return 0;
}

void main().then((code) => {
  process.exitCode = code;
});
