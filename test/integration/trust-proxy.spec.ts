/**
 * TRUST_PROXY: which address is "the client" for the per-address limits and the audit record.
 * Without it X-Forwarded-For is ignored (a client could otherwise pick its own address and
 * escape every limit); with it, only the named proxies are believed.
 */
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/config';
import { startHttpServer, type RunningServer } from '../../src/http/server';
import { createServices } from '../../src/services';
import { FixedClock } from '../../src/shared/clock';
import { createLogger } from '../../src/shared/logger';
import { testDb } from '../support/db';
import { auditRowOf, rawGql } from '../audit/helpers';

const CHALLENGE = 'mutation { createLoginChallenge { id } }';

function config(trustProxy: string | undefined, extra: Record<string, string> = {}) {
  return loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL: testDb().url,
    TRUST_PROXY: trustProxy,
    ...extra,
  });
}

function configProblems(trustProxy: string): string[] {
  try {
    config(trustProxy);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('TRUST_PROXY and the client address', () => {
  describe('configuration', () => {
    it('is off by default and for "false" or 0; takes a hop count or a list of proxies', () => {
      expect(config(undefined).http.trustProxy).to.equal(false);
      expect(config('').http.trustProxy).to.equal(false);
      expect(config('false').http.trustProxy).to.equal(false);
      expect(config('0').http.trustProxy).to.equal(false);
      expect(config('2').http.trustProxy).to.equal(2);
      expect(config(' loopback, 10.0.0.0/8 ,192.168.1.4').http.trustProxy).to.deep.equal([
        'loopback',
        '10.0.0.0/8',
        '192.168.1.4',
      ]);
    });

    it('refuses "true", bad addresses and bad hop counts, naming the variable', () => {
      for (const bad of ['true', '10.0.0.300', '10.0.0.0/40', 'proxy.example.org', '11', '-1']) {
        const problems = configProblems(bad);
        expect(problems, bad).to.have.length(1);
        expect(problems[0], bad).to.match(/^TRUST_PROXY: /);
      }
      expect(configProblems('true')[0]).to.match(/X-Forwarded-For/);
    });
  });

  describe('over HTTP', () => {
    const servers: RunningServer[] = [];
    const clock = new FixedClock(new Date('2026-03-02T10:00:30Z'));

    async function serverWith(trustProxy: string | undefined, extra: Record<string, string> = {}): Promise<string> {
      const services = createServices(config(trustProxy, extra), testDb().ds, clock);
      const server = await startHttpServer(services, createLogger({ logLevel: 'silent' }), {
        host: '127.0.0.1',
        port: 0,
      });
      servers.push(server);
      return server.url;
    }

    after(async () => {
      for (const s of servers) await s.close();
    });

    let n = 0;
    /** The client address the audit record of one request holds. */
    async function recordedAddress(url: string, forwardedFor?: string): Promise<string | null> {
      n += 1;
      const requestId = `trust-proxy-${process.pid}-${n}`;
      const r = await rawGql('{ countries { code } }', undefined, undefined, {
        url,
        headers: { 'x-request-id': requestId, ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
      });
      expect(r.status).to.equal(200);
      return (await auditRowOf(requestId)).client_ip;
    }

    it('ignores X-Forwarded-For unless TRUST_PROXY is set', async () => {
      const url = await serverWith(undefined);
      expect(await recordedAddress(url, '203.0.113.7')).to.match(/^(::ffff:)?127\.0\.0\.1$/);
    });

    it('ignores it from a peer that is not one of the named proxies', async () => {
      const url = await serverWith('10.0.0.0/8');
      expect(await recordedAddress(url, '203.0.113.7')).to.match(/^(::ffff:)?127\.0\.0\.1$/);
    });

    it('takes the address the named proxy forwards, never an earlier one the client wrote', async () => {
      const url = await serverWith('loopback');
      expect(await recordedAddress(url, '203.0.113.7')).to.equal('203.0.113.7');
      // A client sending its own X-Forwarded-For through the proxy: the proxy appends the real peer.
      expect(await recordedAddress(url, '198.51.100.9, 203.0.113.7')).to.equal('203.0.113.7');
      // No header: the proxy itself.
      expect(await recordedAddress(url)).to.match(/^(::ffff:)?127\.0\.0\.1$/);
      // A hop count trusts that many proxies from the right.
      const hops = await serverWith('2');
      expect(await recordedAddress(hops, '198.51.100.9, 203.0.113.7')).to.equal('198.51.100.9');
    });

    it('keys the per-address limits by the forwarded address, so clients behind one proxy do not share them', async () => {
      await testDb().ds.query('DELETE FROM challenge_rate_limits');
      clock.advance(60_000);
      const url = await serverWith('loopback', { CHALLENGE_RATE_PER_MINUTE: '2' });
      const codes = async (address: string, times: number) => {
        const out: (string | undefined)[] = [];
        for (let i = 0; i < times; i += 1) {
          const r = await rawGql(CHALLENGE, undefined, undefined, { url, headers: { 'x-forwarded-for': address } });
          out.push(r.body.errors?.[0]?.extensions?.code);
        }
        return out;
      };
      expect(await codes('203.0.113.7', 3)).to.deep.equal([undefined, undefined, 'RATE_LIMITED']);
      expect(await codes('203.0.113.8', 2)).to.deep.equal([undefined, undefined]);
      expect(await codes('203.0.113.7', 1)).to.deep.equal(['RATE_LIMITED']);
    });
  });
});
