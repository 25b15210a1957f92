/**
 * Bench-only: the V8 sampling CPU profiler (what `node --cpu-prof` writes) started and stopped around one
 * measured case through node:inspector, so the profile covers the service under that load and nothing
 * else; and a summary of a profile's self time by where the code lives (a package under node_modules, a
 * folder of src/, node internals, garbage collection, idle).
 */
import fs from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const ROOT = path.resolve(__dirname, '..');
let session: inspector.Session | undefined;

function post<T>(method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) =>
    session!.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as T))),
  );
}

export async function startCpuProfile(): Promise<void> {
  session ??= new inspector.Session();
  try {
    session.connect();
  } catch {
    // already connected
  }
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 1000 });
  await post('Profiler.start');
}

export async function stopCpuProfile(file: string): Promise<CpuProfile> {
  const { profile } = await post<{ profile: CpuProfile }>('Profiler.stop');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(profile));
  return profile;
}

/** Where a frame's code lives. */
function category(url: string, fn: string): string {
  if (!url) {
    if (fn === '(garbage collector)') return 'GC';
    if (fn === '(idle)') return 'idle';
    if (fn === '(program)') return 'V8/native (program)';
    return `native ${fn || '(anonymous)'}`;
  }
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 14).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) {
    const m = /^node:(?:internal\/)?([a-z_]+)/.exec(url);
    return `node:${m?.[1] ?? url.slice(5)}`;
  }
  // This repository's code: src/<folder> or bench (the worktree itself may sit under a folder named bench).
  const rel = path.relative(ROOT, url.replace(/^file:\/\//, '')).split(path.sep);
  if (rel[0] === 'src') return `src/${rel[1]!.replace(/\.ts$/, '')}`;
  if (rel[0] === 'bench') return 'bench';
  return url;
}

/**
 * Self time by category, in ms and share of the non-idle samples, largest first. Shares count samples, not
 * the time between them: on a machine shared with other processes a sample can follow a long time off the
 * CPU, which the time-weighted figure would charge to whatever ran next (the profiler's own start shows up
 * that way as seconds of `dispatch`).
 */
export function summariseProfile(p: CpuProfile): {
  total: number;
  rows: { what: string; ms: number; share: number }[];
} {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, ProfileNode>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n);
  /** A native frame (socket writes, mostly) is charged to the first package or src/ folder that called it. */
  const where = (n: ProfileNode): string => {
    const c = category(n.callFrame.url, n.callFrame.functionName);
    if (!c.startsWith('native ')) return c;
    for (let q = parent.get(n.id); q; q = parent.get(q.id)) {
      const up = category(q.callFrame.url, q.callFrame.functionName);
      if (!up.startsWith('node:') && !up.startsWith('native ') && up !== 'V8/native (program)')
        return `${c} (via ${up})`;
      if (up === 'node:_http_outgoing' || up === 'node:_http_server') return `${c} (via node:http)`;
    }
    return c;
  };
  const ms = new Map<string, number>();
  const count = new Map<string, number>();
  let busy = 0;
  let busySamples = 0;
  p.samples.forEach((id, i) => {
    const c = where(byId.get(id)!);
    ms.set(c, (ms.get(c) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
    count.set(c, (count.get(c) ?? 0) + 1);
    if (c !== 'idle') {
      busy += (p.timeDeltas[i] ?? 0) / 1000;
      busySamples += 1;
    }
  });
  const rows = [...ms]
    .map(([what, v]) => ({ what, ms: v, share: what === 'idle' ? NaN : count.get(what)! / busySamples }))
    .sort((a, b) => (Number.isNaN(a.share) ? 1 : Number.isNaN(b.share) ? -1 : b.share - a.share));
  return { total: busy, rows };
}

/** The functions with the most self time (name, file, samples), non-idle, by share of the samples. */
export function topFunctions(p: CpuProfile, n: number): { fn: string; ms: number; share: number }[] {
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const ms = new Map<string, number>();
  let busy = 0;
  p.samples.forEach((id) => {
    const f = byId.get(id)!.callFrame;
    if (f.functionName === '(idle)') return;
    const d = 1;
    busy += d;
    const key = `${f.functionName || '(anonymous)'} ${f.url ? path.basename(f.url) : ''}`.trim();
    ms.set(key, (ms.get(key) ?? 0) + d);
  });
  return [...ms]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([fn, v]) => ({ fn, ms: v, share: v / busy }));
}

// `node -r ./scripts/register.js bench/cpu-profile.ts FILE.cpuprofile…`: the summaries of saved profiles.
if (require.main === module) {
  for (const file of process.argv.slice(2)) {
    const p = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
    const s = summariseProfile(p);
    process.stdout.write(`${file}: ${Math.round(s.total)} ms busy\n`);
    for (const r of s.rows.filter((x) => x.what !== 'idle').slice(0, 18))
      process.stdout.write(`  ${(r.share * 100).toFixed(1).padStart(5)} %  ${r.what}\n`);
    process.stdout.write('  top functions (self time):\n');
    for (const f of topFunctions(p, 12))
      process.stdout.write(`  ${(f.share * 100).toFixed(1).padStart(5)} %  ${f.fn}\n`);
  }
}
