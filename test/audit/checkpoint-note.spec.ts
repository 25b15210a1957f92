import { expect } from 'chai';
import crypto from 'node:crypto';
import {
  formatVerifierKey,
  noteVerifier,
  openCheckpointNote,
  openNote,
  parseCheckpointBody,
  parseSignerKey,
  parseVerifierKey,
  signCheckpointNote,
  signNote,
} from '../../src/audit/checkpoint-note';

// The example of golang.org/x/mod/sumdb/note (the reference implementation of C2SP signed-note), from its
// package documentation, golang.org/x/mod sumdb/note/note.go ("Here is a well-formed signed note").
const GO_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_NOTE = `${GO_TEXT}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

describe('C2SP signed-note and tlog-checkpoint (src/audit/checkpoint-note.ts)', () => {
  it('reproduces the golang.org/x/mod/sumdb/note example byte for byte: key hash, verifier key and signature', () => {
    const { name, privateKey } = parseSignerKey(GO_SKEY);
    expect(name).to.equal('PeterNeumann');
    const v = noteVerifier(name, crypto.createPublicKey(privateKey));
    expect(v.keyHash.toString('hex')).to.equal('c74f20a3');
    expect(formatVerifierKey(v)).to.equal(GO_VKEY);
    // Ed25519 is deterministic: the same key and text give the published note exactly.
    expect(signNote(GO_TEXT, name, privateKey)).to.equal(GO_NOTE);
    expect(openNote(GO_NOTE, [parseVerifierKey(GO_VKEY)])).to.deep.equal({ text: GO_TEXT, signedBy: ['PeterNeumann'] });
  });

  it('rejects a note whose text or signature was changed, or that no known key signed', () => {
    const v = parseVerifierKey(GO_VKEY);
    expect(() => openNote(GO_NOTE.replace('problem,', 'problem;'), [v])).to.throw(/invalid signature/);
    expect(() => openNote(GO_NOTE.replace('x08go', 'x08gp'), [v])).to.throw();
    const other = noteVerifier('PeterNeumann', crypto.generateKeyPairSync('ed25519').publicKey);
    expect(() => openNote(GO_NOTE, [other])).to.throw(/no signature by a known key/);
    expect(() => parseVerifierKey(GO_VKEY.replace('c74f20a3', 'c74f20a4'))).to.throw(/key hash/);
  });

  it('writes and reads a tlog checkpoint: origin, size, base64 root; the origin is checked', () => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
    const root = crypto.createHash('sha256').update('x').digest();
    const note = signCheckpointNote('customs.example/audit', 42, root, 'customs.example/audit', privateKey);
    const [body, sig] = note.split('\n\n');
    expect(body).to.equal(`customs.example/audit\n42\n${root.toString('base64')}`);
    expect(sig).to.match(/^\u2014 customs\.example\/audit [A-Za-z0-9+/]{91}=\n$/u);
    const v = noteVerifier('customs.example/audit', publicKey);
    const cp = openCheckpointNote(note, v, 'customs.example/audit');
    expect(cp).to.deep.include({ origin: 'customs.example/audit', size: 42, extensions: [] });
    expect(cp.rootHash.equals(root)).to.equal(true);
    expect(() => openCheckpointNote(note, v, 'another.example/log')).to.throw(/another log/);
    expect(() => openCheckpointNote(note.replace('\n42\n', '\n43\n'), v)).to.throw(/invalid signature/);
    expect(() => parseCheckpointBody('o\n042\nAAAA\n')).to.throw(/origin or size/);
  });
});
