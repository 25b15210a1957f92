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
  await post('Profiler.setSamplingInterval', { interval: 500 });
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
  const src = /\/(src|bench)\/([^/]+)/.exec(url);
  if (src) return `${src[1]}/${src[2]}`;
  return url;
}

/** Self time by category, in ms and share of the non-idle time, largest first. */
export function summariseProfile(p: CpuProfile): {
  total: number;
  rows: { what: string; ms: number; share: number }[];
} {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const ms = new Map<string, number>();
  p.samples.forEach((id, i) => {
    const n = byId.get(id)!;
    const c = category(n.callFrame.url, n.callFrame.functionName);
    ms.set(c, (ms.get(c) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  });
  const busy = [...ms].filter(([c]) => c !== 'idle').reduce((a, [, v]) => a + v, 0);
  const rows = [...ms]
    .map(([what, v]) => ({ what, ms: v, share: what === 'idle' ? NaN : v / busy }))
    .sort((a, b) => b.ms - a.ms);
  return { total: busy, rows };
}
