/**
 * The audit log's public face, no authentication (src/audit/README.md, "Receipts and proofs"):
 *
 *  - GET /audit/checkpoint   — the newest signed checkpoint, text/plain, exactly the C2SP signed note
 *                              (origin, tree size, base64 root hash, blank line, signature line);
 *                              404 before the first checkpoint;
 *  - GET /audit/verifier-key — the service's note verifier key, text/plain, one line
 *                              `<origin>+<key hash hex>+<base64(0x01 ‖ Ed25519 public key)>`.
 *
 * Both are what `npm run verify-receipt` and any tlog client (golang.org/x/mod/sumdb/note) need.
 */
import type express from 'express';
import { formatVerifierKey, noteVerifier } from '../audit/checkpoint-note';
import { newestCheckpoint } from '../audit/proofs';
import { ANONYMOUS } from '../db/tenant';
import type { Services } from '../services';
import type { Logger } from '../shared/logger';

export function mountAuditCheckpoint(app: express.Express, services: Services, logger: Logger): void {
  const verifierKey = () =>
    formatVerifierKey(noteVerifier(services.config.audit.logOrigin, services.audit.key.publicKey));
  app.get('/audit/checkpoint', async (_req, res) => {
    res.set('Cache-Control', 'no-store');
    try {
      const cp = await services.db.run(ANONYMOUS, (sql) => newestCheckpoint(sql, services.audit.key.keyId));
      if (!cp) {
        res.status(404).type('text/plain').send('no signed checkpoint yet\n');
        return;
      }
      res.type('text/plain; charset=utf-8').send(cp.note);
    } catch (e) {
      logger.warn({ err: e, requestId: res.locals.requestId }, 'audit checkpoint not served');
      res.status(503).type('text/plain').send('the checkpoint cannot be read right now; try again later\n');
    }
  });
  app.get('/audit/verifier-key', (_req, res) => {
    res.type('text/plain; charset=utf-8').send(`${verifierKey()}\n`);
  });
}
