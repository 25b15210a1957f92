/**
 * The load generator of the HTTP bench (bench/http.bench.ts), run in its own process so that it never
 * shares the service's Node main thread: autocannon used as a library. The parent sends one `LoadSpec` per
 * message (several run at once when they are sent together and the parent waits for all) and gets one
 * `LoadResult` back per spec, matched by `id`.
 */
import autocannon = require('autocannon');

export interface LoadSpec {
  id: number;
  url: string;
  connections: number;
  /** Seconds of load; ignored when `bodies` is given with `once`. */
  seconds: number;
  /** Request bodies, sent round-robin (one per request); with `once`, each is sent exactly once. */
  bodies: string[];
  once?: boolean;
  /** Bearer tokens, one per connection round-robin (connection k uses tokens[k % n]); none: anonymous. */
  tokens: string[];
  /** Keep the response bodies (for the challenge phase of the login case). */
  keepBodies?: boolean;
}

export interface LoadResult {
  id: number;
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  /** Connection errors and timeouts. */
  errors: number;
  /** Requests sent but not answered when the run ended (waiting longer than the run). */
  unanswered: number;
  /** Responses with a status other than 200. */
  non2xx: number;
  /** 200 responses whose body has `errors`. */
  gqlErrors: number;
  /** Responses (any status) refused with RATE_LIMITED. */
  rateLimited: number;
  /** Other error codes seen, with counts. */
  codes: Record<string, number>;
  bodies?: string[];
}

const CODE_RE = /"code":"([A-Z_]+)"/g;

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]! : 0;
}

interface Ctx {
  extra?: boolean;
  sentAt?: number;
}

export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  let rateLimited = 0;
  let gqlErrors = 0;
  let non2xx = 0;
  const codes: Record<string, number> = {};
  const kept: string[] = [];
  const latencies: number[] = [];
  const contexts = new Set<Ctx>();
  let nextBody = 0;
  let nextClient = 0;
  let answered = 0;
  let firstSent = 0;
  let lastAnswer = 0;
  let instance: { stop(): void } | undefined;
  if (spec.once && spec.tokens.length) throw new Error('runLoad: `once` sends anonymous requests only');
  return new Promise((resolve, reject) => {
    instance = autocannon(
      {
        url: `${spec.url}/graphql`,
        connections: spec.connections,
        // With `once` the run stops when every body is answered (the hour is a guard).
        duration: spec.once ? 3600 : spec.seconds,
        timeout: 60,
        headers: { 'content-type': 'application/json' },
        // setHeaders rebuilds the connection's first request (one more setupRequest call that is never sent):
        // harmless for a repeated body, so `once` (which must not lose a body) takes no tokens.
        ...(spec.tokens.length
          ? {
              setupClient: (client: autocannon.Client) => {
                client.setHeaders({
                  'content-type': 'application/json',
                  authorization: `Bearer ${spec.tokens[nextClient++ % spec.tokens.length]}`,
                });
              },
            }
          : {}),
        requests: [
          {
            method: 'POST',
            setupRequest: (req, context) => {
              const ctx = context as Ctx;
              contexts.add(ctx);
              // With `once`, a connection asking for more once every body is out gets GET /healthz (no
              // GraphQL, no database), which is not counted.
              ctx.extra = spec.once === true && nextBody >= spec.bodies.length;
              ctx.sentAt = performance.now();
              firstSent ||= ctx.sentAt;
              if (ctx.extra) return { ...req, method: 'GET', path: '/healthz', body: undefined };
              return { ...req, body: spec.bodies[nextBody++ % spec.bodies.length] };
            },
            onResponse: (status, body, context) => {
              const ctx = context as Ctx;
              const sentAt = ctx.sentAt;
              ctx.sentAt = undefined;
              if (ctx.extra) return;
              lastAnswer = performance.now();
              latencies.push(lastAnswer - (sentAt ?? lastAnswer));
              answered += 1;
              if (status !== 200) non2xx += 1;
              if (body.includes('"errors"')) {
                if (status === 200) gqlErrors += 1;
                for (const m of body.matchAll(CODE_RE)) {
                  if (m[1] === 'RATE_LIMITED') rateLimited += 1;
                  codes[m[1]!] = (codes[m[1]!] ?? 0) + 1;
                }
              }
              if (spec.keepBodies) kept.push(body);
              if (spec.once && answered === spec.bodies.length) instance?.stop();
            },
          },
        ],
      },
      (err, r) => {
        if (err) {
          reject(err);
          return;
        }
        const end = performance.now();
        const sorted = latencies.sort((a, b) => a - b);
        const p99 = percentile(sorted, 0.99);
        // A request still waiting at the end counts as unanswered when it has waited longer than 1 s and than
        // the run's p99 (every connection has one request in flight when a timed run stops).
        let unanswered = 0;
        for (const c of contexts) {
          if (!c.extra && c.sentAt !== undefined && end - c.sentAt > Math.max(1000, p99)) unanswered += 1;
        }
        const seconds = spec.once ? (lastAnswer - firstSent) / 1000 : r.duration;
        resolve({
          id: spec.id,
          requests: answered,
          seconds,
          rps: answered / Math.max(seconds, 1e-3),
          p50: percentile(sorted, 0.5),
          p99,
          max: sorted.length ? sorted[sorted.length - 1]! : 0,
          errors: r.errors + r.timeouts,
          unanswered,
          non2xx,
          gqlErrors,
          rateLimited,
          codes,
          ...(spec.keepBodies ? { bodies: kept } : {}),
        });
      },
    );
  });
}

if (require.main === module) {
  process.on('message', (spec: LoadSpec) => {
    runLoad(spec).then(
      (r) => process.send!(r),
      (e: unknown) => process.send!({ id: spec.id, error: e instanceof Error ? e.message : String(e) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}
