/**
 * The audit record id of the current request, for a resolver that must name it in its response
 * (e.g. a signed extract's auditId). The id is reserved from the record sequence on first use
 * and the audit plugin writes the request's record under it.
 */
import type { AuditService } from './audit.service';

const reserved = new WeakMap<object, Promise<string>>();

export function reserveAuditId(ctx: { services: { audit: AuditService } }): Promise<string> {
  let p = reserved.get(ctx);
  if (!p) {
    p = ctx.services.audit.reserveId();
    reserved.set(ctx, p);
  }
  return p;
}

/** The reserved id of this request's record, if a resolver asked for one. */
export function reservedAuditId(ctx: object): Promise<string> | undefined {
  return reserved.get(ctx);
}
