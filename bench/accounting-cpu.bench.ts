/**
 * The accounting's own CPU per request (issue 10), without the database and without HTTP: the same Apollo Server
 * pipeline (executeHTTPGraphQLRequest, so the response is serialised as for the wire) with and without the audit
 * plugin, the plugin's record handed to the writer's real record building (`buildRecords`: sanitising, canonical
 * content, SHA-256 chain hash, the INSERT's literals) instead of a database. CPU is `process.cpuUsage()` around N
 * sequential requests, modes interleaved; what the database does for a record (the INSERT, its commit, the
 * checkpointer) is not in it: bench/http.bench.ts case `overhead` measures that.
 *
 *   node -r ./scripts/register.js bench/accounting-cpu.bench.ts
 *
 * (ACCOUNTING_BENCH_REQUESTS per run, default 300; ACCOUNTING_BENCH_ROUNDS, default 15; the least CPU of the rounds
 * is reported, since other processes on a shared machine only ever add to it).
 *
 * Modes: `off` (no audit plugin), `on` (the service's configuration: the plugin, and `stringifyResult` sending the
 * text the plugin serialised and hashed), `on, serialised twice` (the plugin without that hook: Apollo serialises
 * the result again, as before src/audit/wire.ts).
 */
import { ApolloServer, HeaderMap } from '@apollo/server';
import { buildSchema } from 'graphql';
import { buildRecords, type AppendResult, type AuditService } from '../src/audit/audit.service';
import { GENESIS_HASH, type AuditEntryInput } from '../src/audit/record';
import { stringifyAuditedResult } from '../src/audit/wire';
import type { GraphQLContext } from '../src/graphql/context';
import { auditPlugin } from '../src/graphql/plugins/audit.plugin';
import { createMetrics } from '../src/ops/metrics';
import { FixedClock } from '../src/shared/clock';
import { createLogger } from '../src/shared/logger';

const SDL = `
  type Query { me: Viewer, declarations(first: Int = 10): DeclarationConnection! }
  type Viewer { role: String!, username: String }
  type DeclarationConnection { edges: [Edge!]!, pageInfo: PageInfo! }
  type Edge { cursor: String!, node: Declaration! }
  type PageInfo { hasNextPage: Boolean!, endCursor: String }
  type Declaration { id: ID!, number: String!, registrationDate: String!, direction: String!, declarant: String!,
    customsValueAzn: String!, itemCount: Int!, grossWeightKg: Float! }
`;

const declaration = (i: number) => ({
  id: String(1000 + i),
  number: `AZ-2025-${String(i).padStart(8, '0')}`,
  registrationDate: '2025-03-05',
  direction: i % 2 ? 'IMPORT' : 'EXPORT',
  declarant: 'Xəzər Logistika MMC — «Şüşə»',
  customsValueAzn: '987654321.09',
  itemCount: 3 + i,
  grossWeightKg: 12345.678 * i,
});

const rootValue = {
  me: () => ({ role: 'TRADER', username: null }),
  declarations: ({ first }: { first: number }) => ({
    edges: Array.from({ length: first }, (_, i) => ({ cursor: `v1|2025-03-05|${1000 + i}`, node: declaration(i) })),
    pageInfo: { hasNextPage: true, endCursor: `v1|2025-03-05|${999 + first}` },
  }),
};

const QUERIES = {
  me: '{ me { role } }',
  declarations: `{ declarations(first: 10) { edges { cursor node { id number registrationDate direction declarant
    customsValueAzn itemCount grossWeightKg } } pageInfo { hasNextPage endCursor } } }`,
};

type Mode = 'off' | 'on' | 'on, serialised twice';

/** The writer's CPU for one record, without the database: chained onto an in-memory head. */
function recordBuilder(): AuditService {
  let head: { seq: bigint; hash: Buffer } = { seq: 0n, hash: GENESIS_HASH };
  let id = 0;
  return {
    async append(entry: AuditEntryInput): Promise<AppendResult> {
      const built = buildRecords([entry], head, [String(++id)]);
      head = { seq: built.seq, hash: built.prev };
      const r = built.records[0]!;
      return { id: r.id, seq: r.seq, hash: r.hash };
    },
    drain: async () => undefined,
    checkpoint: async () => null,
  } as unknown as AuditService;
}

async function server(mode: Mode): Promise<ApolloServer<GraphQLContext>> {
  const schema = buildSchema(SDL);
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    rootValue,
    ...(mode === 'on' ? { stringifyResult: stringifyAuditedResult } : {}),
    plugins:
      mode === 'off'
        ? []
        : [
            auditPlugin({
              schema,
              audit: recordBuilder(),
              logger: createLogger({ logLevel: 'silent' }),
              metrics: createMetrics(null, { defaultMetrics: false }),
              checkpointSeconds: 0,
            }),
          ],
  });
  await apollo.start();
  return apollo;
}

export async function runAccountingCpuBench(
  opts: { requests?: number; rounds?: number; log?: (m: string) => void } = {},
): Promise<Record<string, Record<Mode, number>>> {
  const log = opts.log ?? ((m: string) => process.stdout.write(`${m}\n`));
  const n = opts.requests ?? Number(process.env.ACCOUNTING_BENCH_REQUESTS ?? 300);
  const rounds = opts.rounds ?? Number(process.env.ACCOUNTING_BENCH_ROUNDS ?? 15);
  const clock = new FixedClock(new Date('2025-06-01T00:00:00Z'));
  const services = { clock, config: { audit: { logOrigin: 'bench.example/audit' } } };
  const context = async (): Promise<GraphQLContext> =>
    ({
      requestId: '7f1c2a9e-0000-4000-8000-000000000000',
      clientIp: '127.0.0.1',
      userAgent: 'accounting-cpu-bench',
      viewer: {
        sessionId: '1',
        userAccountId: '2',
        participantId: '3',
        role: 'TRADER',
        username: 'trader1',
        authMethod: 'PASSWORD',
      },
      sessionError: null,
      loginSession: null,
      audit: { inPipeline: false },
      services,
    }) as unknown as GraphQLContext;
  const modes: Mode[] = ['off', 'on', 'on, serialised twice'];
  const servers = new Map<Mode, ApolloServer<GraphQLContext>>();
  for (const m of modes) servers.set(m, await server(m));
  const headers = new HeaderMap([['content-type', 'application/json']]);
  const run = async (mode: Mode, query: string, count: number) => {
    const apollo = servers.get(mode)!;
    let bytes = 0;
    const t = process.cpuUsage();
    for (let i = 0; i < count; i++) {
      const res = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: 'POST', headers, search: '', body: { query } },
        context,
      });
      if (res.body.kind !== 'complete') throw new Error('not a single result');
      bytes += res.body.string.length;
    }
    const used = process.cpuUsage(t);
    return { us: (used.user + used.system) / count, bytes: bytes / count };
  };
  const out: Record<string, Record<Mode, number>> = {};
  log(
    `accounting CPU per request (in process, no database, no HTTP): ${n} requests per run, ${rounds} rounds, ` +
      `modes interleaved; the least of the rounds`,
  );
  for (const [name, query] of Object.entries(QUERIES)) {
    for (const m of modes) await run(m, query, Math.ceil(n / 3)); // warm-up (JIT, document cache)
    const samples = new Map<Mode, number[]>(modes.map((m) => [m, []]));
    let size = 0;
    for (let r = 0; r < rounds; r++) {
      for (const m of r % 2 ? [...modes].reverse() : modes) {
        const x = await run(m, query, n);
        samples.get(m)!.push(x.us);
        if (m === 'on') size = x.bytes;
      }
    }
    // The least CPU of the rounds: other processes only ever add to it (caches, the sibling hyperthread).
    const fig = Object.fromEntries(modes.map((m) => [m, Math.min(...samples.get(m)!)])) as Record<Mode, number>;
    out[name] = fig;
    const acc = fig.on - fig.off;
    const twice = fig['on, serialised twice'] - fig.off;
    log(
      `  ${name.padEnd(13)} (${Math.round(size)} bytes): off ${fig.off.toFixed(1)} µs, on ${fig.on.toFixed(1)} µs ` +
        `(accounting ${acc.toFixed(1)} µs, ${((acc / fig.off) * 100).toFixed(1)} % of the pipeline), serialised ` +
        `twice ${fig['on, serialised twice'].toFixed(1)} µs (accounting ${twice.toFixed(1)} µs)`,
    );
  }
  for (const s of servers.values()) await s.stop();
  return out;
}

if (require.main === module) {
  runAccountingCpuBench().catch((e: unknown) => {
    process.stderr.write(`${String((e as Error).stack ?? e)}\n`);
    process.exit(1);
  });
}
