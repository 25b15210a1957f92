/**
 * The per-client-address limit on electronic complaints: a fixed window counted in PostgreSQL
 * (table complaint_rate_limits, one row per address), so every server instance shares the count.
 * The count is taken inside the filing transaction: a filing that is refused or fails rolls its
 * count back, so only accepted complaints use up the allowance.
 */
import net from 'node:net';
import type { Sql } from '../db/tenant';
import { countWithinLimit, windowStart, type WindowLimit } from '../shared/rate-limit';

/**
 * The counter key of a client address: IPv4 as is (also when IPv4-mapped), IPv6 by its /64 prefix
 * (one subscriber usually holds a whole /64, so rotating addresses inside it does not help).
 */
export function clientKey(address: string): string {
  let a = address.trim().toLowerCase();
  const zone = a.indexOf('%');
  if (zone >= 0) a = a.slice(0, zone);
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(a);
  if (mapped) return mapped[1];
  if (net.isIPv4(a)) return a;
  if (net.isIPv6(a)) return `${expandIpv6(a).slice(0, 4).join(':')}::/64`;
  return a === '' ? 'unknown' : a.slice(0, 100);
}

/** The eight 16-bit groups of an IPv6 address (without leading zeros), `::` expanded. */
function expandIpv6(a: string): string[] {
  let s = a;
  // A trailing dotted IPv4 part (::ffff:1.2.3.4 forms other than the one handled above).
  const v4 = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (v4) {
    const [b1, b2, b3, b4] = v4.slice(1).map(Number);
    s = `${s.slice(0, v4.index)}${((b1 << 8) | b2).toString(16)}:${((b3 << 8) | b4).toString(16)}`;
  }
  const [head, tail] = s.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.map((g) => parseInt(g, 16).toString(16));
}

export { windowStart };

/**
 * Counts one filing of `key` in the current window; throws RATE_LIMITED (with retryAfterSeconds)
 * when the window already holds `max`. Run it in the filing's transaction (see src/shared/rate-limit.ts).
 */
export async function countFiling(sql: Sql, key: string, now: Date, limit: WindowLimit): Promise<void> {
  await countWithinLimit(
    sql,
    'complaint_rate_limits',
    key,
    now,
    limit,
    `too many complaints from this address: at most ${limit.max} per ${limit.windowMinutes} minutes; try again later`,
  );
}
