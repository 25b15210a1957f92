import { expect } from 'chai';
import { LoginThrottle } from '../../src/auth/login-throttle';
import argon2 = require('@node-rs/argon2');
import {
  checkNewPassword,
  generateOneTimePassword,
  hashPassword,
  needsRehash,
  normaliseUsername,
  verifyPassword,
} from '../../src/auth/password';
import { argon2Params } from './helpers';
import { localDate } from '../../src/shared/calendar';
import { contractNumberKey, usernameForContract } from '../../src/contracts/contract.service';
import { missingDocuments, requiredDocuments } from '../../src/contracts/documents';
import { systemClock } from '../../src/shared/clock';
import { AppError } from '../../src/shared/errors';

describe('password access units', () => {
  it('doubles the lock from the threshold on and caps it', () => {
    const t = new LoginThrottle(null as never, systemClock, {
      lockoutThreshold: 5,
      lockoutBaseSeconds: 60,
      lockoutMaxSeconds: 3600,
      failureResetMinutes: 1440,
      addressMaxFailures: 50,
      addressWindowMinutes: 15,
    });
    expect([1, 4, 5, 6, 7, 10, 11, 12, 100].map((n) => t.lockSeconds(n))).to.deep.equal([
      0, 0, 60, 120, 240, 1920, 3600, 3600, 3600,
    ]);
  });

  it('generates 20-character one-time passwords from the unambiguous alphabet, all different', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i += 1) {
      const p = generateOneTimePassword();
      expect(p).to.match(/^[A-HJ-NP-Za-km-z2-9]{20}$/);
      seen.add(p);
    }
    expect(seen.size).to.equal(200);
  });

  it('applies the password policy without echoing the password', () => {
    const code = (f: () => void) => {
      try {
        f();
        return 'OK';
      } catch (e) {
        expect((e as Error).message).not.to.contain('secret');
        return (e as AppError).code;
      }
    };
    expect(code(() => checkNewPassword('secret-11ch', 'old password 1'))).to.equal('BAD_USER_INPUT');
    expect(code(() => checkNewPassword('secret-12chr', 'old password 1'))).to.equal('OK');
    expect(code(() => checkNewPassword('secret same 1', 'secret same 1'))).to.equal('BAD_USER_INPUT');
  });

  it('hashes with argon2id m=19456 t=2 p=1, verifies, and asks for a rehash of anything else', async () => {
    const h = await hashPassword('correct horse battery');
    expect(argon2Params(h)).to.equal('argon2id v=19 m=19456 t=2 p=1');
    expect(await verifyPassword(h, 'correct horse battery')).to.equal(true);
    expect(await verifyPassword(h, 'correct horse batterY')).to.equal(false);
    expect(needsRehash(h)).to.equal(false);
    for (const [k, v] of [
      ['memoryCost', 8192],
      ['timeCost', 3],
      ['parallelism', 2],
      ['outputLen', 16],
    ] as const) {
      const other = await argon2.hash('pw', {
        algorithm: argon2.Algorithm.Argon2id,
        memoryCost: 19_456,
        timeCost: 2,
        parallelism: 1,
        [k]: v,
      });
      expect(needsRehash(other), k).to.equal(true);
    }
    expect(
      needsRehash(await argon2.hash('pw', { algorithm: argon2.Algorithm.Argon2i, memoryCost: 19_456, timeCost: 2 })),
    ).to.equal(true);
    for (const junk of ['', 'plain', '$2b$10$abcdefghijklmnopqrstuv', '$argon2id$v=19$m=x']) {
      expect(needsRehash(junk), junk).to.equal(true);
      expect(await verifyPassword(junk, 'plain'), junk).to.equal(false);
    }
  });

  it('verifies hashes written by the earlier argon2 package (parameters in another order) without a rehash', async () => {
    // Written by argon2@0.45.1 (node-argon2), which this service used before @node-rs/argon2.
    const earlier = '$argon2id$v=19$m=19456,p=1,t=2$455ba5U+/ON66fu+bSwomg$aTUrkpteBBw2+FGj2MPPqphO+suIfbwkNvbdu0cM3jw';
    expect(await verifyPassword(earlier, 'pw-abc')).to.equal(true);
    expect(await verifyPassword(earlier, 'pw-abd')).to.equal(false);
    expect(needsRehash(earlier)).to.equal(false);
  });

  it('normalises usernames and contract numbers into one form', () => {
    expect(normaliseUsername('  Ｒashad.ALIYEV\t')).to.equal('rashad.aliyev');
    expect(contractNumberKey('GK-2025/0042')).to.equal('gk-2025-0042');
    expect(contractNumberKey(' gk  2025 // 0042. ')).to.equal('gk-2025-0042');
    expect(usernameForContract('GK-2025/0042')).to.equal('c-gk-2025-0042');
  });

  it('dates "today" in the authority\'s time zone', () => {
    expect(localDate(new Date('2025-03-10T19:59:59Z'), 'Asia/Baku')).to.equal('2025-03-10');
    expect(localDate(new Date('2025-03-10T20:00:00Z'), 'Asia/Baku')).to.equal('2025-03-11');
    expect(localDate(new Date('2025-03-10T20:00:00Z'), 'UTC')).to.equal('2025-03-10');
  });

  it("lists the regulation's documents by kind of participant", () => {
    expect(requiredDocuments('LEGAL_ENTITY', { nonCommercial: false, hasVoen: true })).to.deep.equal([
      'APPLICATION_LETTER',
      'SIGNED_CONTRACT',
      'STATE_REGISTRATION_CERTIFICATE',
      'FOUNDERS_IDENTITY_DOCUMENTS',
    ]);
    expect(requiredDocuments('LEGAL_ENTITY', { nonCommercial: true, hasVoen: true })).to.include(
      'NOTARISED_REGISTRY_EXTRACT',
    );
    expect(requiredDocuments('NATURAL_PERSON', { nonCommercial: false, hasVoen: true })).to.deep.equal([
      'APPLICATION_LETTER',
      'SIGNED_CONTRACT',
      'IDENTITY_DOCUMENT',
    ]);
    expect(
      missingDocuments('NATURAL_PERSON', { nonCommercial: false, hasVoen: false }, [
        'APPLICATION_LETTER',
        'SIGNED_CONTRACT',
      ]),
    ).to.deep.equal(['GOOEN_COPY', 'IDENTITY_DOCUMENT']);
  });
});
