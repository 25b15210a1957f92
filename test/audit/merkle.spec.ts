import { expect } from 'chai';
import {
  CompactRange,
  EMPTY_ROOT,
  leafHash,
  MerkleTree,
  nodeHash,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from '../../src/audit/merkle';
import {
  consistencyProofFrom,
  inclusionProofFrom,
  rootFrom,
  storedConsistencyProof,
  storedInclusionProof,
  storedRoot,
  storedTreeSize,
  storeTreeNodes,
  TreeNodeMissingError,
  type NodeReader,
  type TreeNode,
} from '../../src/audit/tree-store';
import { resetData, testDb } from '../support/db';

const h = (s: string) => Buffer.from(s, 'hex');

// Reference data of transparency-dev/merkle (the Go implementation behind Trillian and the Go checksum
// database), copied from https://github.com/transparency-dev/merkle:
//  - testonly/constants.go @ 582a6ad190b6848f1d26f8bf08ddef29955d9db1: LeafInputs(), RootHashes() (by tree size,
//    from 0), NodeHashes() (complete subtrees by level);
//  - proof/verify_test.go @ 02194e9afb6c1d95b5381350007963aa70fff472: inclusionProofs (leaf numbered from 1)
//    and consistencyProofs.
const LEAF_INPUTS = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
];
const ROOT_HASHES = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const NODE_HASHES = [
  [
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
    '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
    '07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
    'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    '4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
    'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
    '46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1',
  ],
  [
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
    'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
  ],
  [
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
  ],
  ['5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328'],
];
const INCLUSION_PROOFS: { leaf: number; size: number; proof: string[] }[] = [
  {
    leaf: 1,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    leaf: 6,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { leaf: 3, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    leaf: 2,
    size: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];
const CONSISTENCY_PROOFS: { size1: number; size2: number; proof: string[] }[] = [
  { size1: 1, size2: 1, proof: [] },
  {
    size1: 1,
    size2: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    size1: 6,
    size2: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    size1: 2,
    size2: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  {
    size1: 6,
    size2: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];
const SOME_HASH = h('abacaba000000000000000000000000000000000000000000060061e00123456');

function referenceTree(): MerkleTree {
  const t = new MerkleTree();
  for (const l of LEAF_INPUTS) t.append(h(l));
  return t;
}

/** Reference MTH straight from RFC 9162 §2.1.1, recursive, for cross-checks on larger trees. */
function mth(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return leafHash(leaves[0]);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

describe('RFC 6962 Merkle tree (src/audit/merkle.ts) against the transparency-dev/merkle reference data', () => {
  it('has the reference root at every tree size 0..8, from the full tree and from the compact range', () => {
    const t = referenceTree();
    const range = CompactRange.empty();
    expect(range.root().toString('hex')).to.equal(ROOT_HASHES[0]);
    for (let n = 0; n <= 8; n++) {
      expect(t.root(n).toString('hex'), `size ${n}`).to.equal(ROOT_HASHES[n]);
      if (n > 0) {
        range.appendLeafHash(leafHash(h(LEAF_INPUTS[n - 1])));
        expect(range.root().toString('hex'), `compact ${n}`).to.equal(ROOT_HASHES[n]);
      }
    }
  });

  it('has the reference hash for every complete subtree', () => {
    const t = referenceTree();
    NODE_HASHES.forEach((level, l) =>
      level.forEach((hex, i) => expect(t.rangeHash(i * 2 ** l, (i + 1) * 2 ** l).toString('hex')).to.equal(hex)),
    );
  });

  it('generates the reference inclusion proofs, verifies them, and rejects every corruption of them', () => {
    const t = referenceTree();
    for (const v of INCLUSION_PROOFS) {
      const index = v.leaf - 1;
      const proof = t.inclusionProof(index, v.size);
      expect(
        proof.map((p) => p.toString('hex')),
        `${v.leaf}/${v.size}`,
      ).to.deep.equal(v.proof);
      const leaf = leafHash(h(LEAF_INPUTS[index]));
      const root = h(ROOT_HASHES[v.size]);
      expect(verifyInclusion(index, v.size, leaf, proof, root)).to.equal(true);
      expect(rootFromInclusionProof(index, v.size, leaf, proof)!.toString('hex')).to.equal(ROOT_HASHES[v.size]);
      // The corruptions of transparency-dev's corruptInclusionProof.
      const bad: [string, number, number, Buffer, Buffer[], Buffer][] = [
        ['index - 1', index - 1, v.size, leaf, proof, root],
        ['index + 1', index + 1, v.size, leaf, proof, root],
        ['index ^ 2', index ^ 2, v.size, leaf, proof, root],
        ['size * 2', index, v.size * 2, leaf, proof, root],
        ['size / 2', index, Math.floor(v.size / 2), leaf, proof, root],
        ['wrong leaf', index, v.size, Buffer.from('WrongLeaf'), proof, root],
        ['empty root', index, v.size, leaf, proof, EMPTY_ROOT],
        ['random root', index, v.size, leaf, proof, SOME_HASH],
        ['trailing garbage', index, v.size, leaf, [...proof, Buffer.alloc(0)], root],
        ['trailing root', index, v.size, leaf, [...proof, root], root],
        ['preceding garbage', index, v.size, leaf, [Buffer.alloc(0), ...proof], root],
        ['preceding root', index, v.size, leaf, [root, ...proof], root],
        ['removed component', index, v.size, leaf, proof.slice(0, -1), root],
        ...proof.map((_, i): [string, number, number, Buffer, Buffer[], Buffer] => {
          const p = proof.map((x) => Buffer.from(x));
          p[i][0] ^= 8;
          return [`bit flipped in proof[${i}]`, index, v.size, leaf, p, root];
        }),
      ];
      if (proof.length > 1) bad.push(['inserted', index, v.size, leaf, [proof[0], SOME_HASH, ...proof.slice(1)], root]);
      for (const [what, i, n, l, p, r] of bad) expect(verifyInclusion(i, n, l, p, r), what).to.equal(false);
    }
    // A one-leaf tree: empty proof, root = leaf hash; hashes of the wrong size never verify.
    const one = leafHash(Buffer.from('data'));
    expect(verifyInclusion(0, 1, one, [], one)).to.equal(true);
    expect(verifyInclusion(0, 1, Buffer.alloc(0), [], Buffer.alloc(0))).to.equal(false);
    for (const [i, n] of [
      [0, 0],
      [1, 0],
      [2, 1],
    ])
      expect(verifyInclusion(i, n, SOME_HASH, [], EMPTY_ROOT)).to.equal(false);
  });

  it('generates the reference consistency proofs, verifies them, and rejects every corruption of them', () => {
    const t = referenceTree();
    for (const v of CONSISTENCY_PROOFS) {
      const proof = t.consistencyProof(v.size1, v.size2);
      expect(
        proof.map((p) => p.toString('hex')),
        `${v.size1}→${v.size2}`,
      ).to.deep.equal(v.proof);
      const r1 = h(ROOT_HASHES[v.size1]);
      const r2 = h(ROOT_HASHES[v.size2]);
      expect(verifyConsistency(v.size1, v.size2, r1, r2, proof)).to.equal(true);
      if (proof.length === 0) continue;
      const bad: [string, number, number, Buffer, Buffer, Buffer[]][] = [
        ['size1 - 1', v.size1 - 1, v.size2, r1, r2, proof],
        ['size1 + 1', v.size1 + 1, v.size2, r1, r2, proof],
        ['size1 ^ 2', v.size1 ^ 2, v.size2, r1, r2, proof],
        ['size2 * 2', v.size1, v.size2 * 2, r1, r2, proof],
        ['size2 / 2', v.size1, Math.floor(v.size2 / 2), r1, r2, proof],
        ['wrong root1', v.size1, v.size2, Buffer.from('WrongRoot'), r2, proof],
        ['wrong root2', v.size1, v.size2, r1, Buffer.from('WrongRoot'), proof],
        ['swapped roots', v.size1, v.size2, r2, r1, proof],
        ['empty proof', v.size1, v.size2, r1, r2, []],
        ['trailing garbage', v.size1, v.size2, r1, r2, [...proof, Buffer.alloc(0)]],
        ['trailing root1', v.size1, v.size2, r1, r2, [...proof, r1]],
        ['trailing root2', v.size1, v.size2, r1, r2, [...proof, r2]],
        ['preceding garbage', v.size1, v.size2, r1, r2, [Buffer.alloc(0), ...proof]],
        ['preceding root1', v.size1, v.size2, r1, r2, [r1, ...proof]],
        ['preceding root2', v.size1, v.size2, r1, r2, [r2, ...proof]],
        ['preceding proof[0]', v.size1, v.size2, r1, r2, [proof[0], ...proof]],
        ['truncated', v.size1, v.size2, r1, r2, proof.slice(0, -1)],
        ...proof.map((_, i): [string, number, number, Buffer, Buffer, Buffer[]] => {
          const p = proof.map((x) => Buffer.from(x));
          p[i][0] ^= 16;
          return [`bit flipped in proof[${i}]`, v.size1, v.size2, r1, r2, p];
        }),
      ];
      for (const [what, a, b, x, y, p] of bad) expect(verifyConsistency(a, b, x, y, p), what).to.equal(false);
    }
    // The edge cases of transparency-dev's TestVerifyConsistency.
    const r1 = Buffer.alloc(32, 1);
    const r2 = Buffer.alloc(32, 2);
    expect(verifyConsistency(0, 0, r1, r2, [])).to.equal(false);
    expect(verifyConsistency(1, 1, r1, r2, [])).to.equal(false);
    expect(verifyConsistency(0, 0, r1, r1, [])).to.equal(true);
    expect(verifyConsistency(0, 1, r1, r2, [])).to.equal(true);
    expect(verifyConsistency(1, 1, r2, r2, [])).to.equal(true);
    expect(verifyConsistency(1, 0, r1, r2, [])).to.equal(false);
    expect(verifyConsistency(2, 1, r1, r2, [])).to.equal(false);
    expect(verifyConsistency(1, 2, r1, r2, [])).to.equal(false);
    expect(verifyConsistency(0, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT])).to.equal(false);
    expect(verifyConsistency(1, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT])).to.equal(false);
  });

  it('agrees with the recursive RFC definition on every size and proof up to 70 leaves', () => {
    const leaves = Array.from({ length: 70 }, (_, i) => Buffer.from(`leaf ${i}`));
    const t = new MerkleTree();
    leaves.forEach((l) => t.append(l));
    for (let n = 1; n <= 70; n++) {
      const root = mth(leaves.slice(0, n));
      expect(t.root(n).equals(root), `root ${n}`).to.equal(true);
      for (let i = 0; i < n; i++) {
        expect(verifyInclusion(i, n, leafHash(leaves[i]), t.inclusionProof(i, n), root), `${i}/${n}`).to.equal(true);
      }
      for (let m = 0; m <= n; m++) {
        const ok = verifyConsistency(m, n, t.root(m), root, t.consistencyProof(m, n));
        expect(ok, `${m}→${n}`).to.equal(true);
      }
    }
  });

  it('answers proofs of a large tree (131,073 leaves) in well under a millisecond each (1 M: npm run bench)', function () {
    this.timeout(60_000);
    const N = 131_073;
    const t = new MerkleTree();
    const leaf = Buffer.alloc(32);
    for (let i = 0; i < N; i++) {
      leaf.writeUInt32BE(i);
      t.appendLeafHash(leafHash(leaf));
    }
    const root = t.root();
    const started = performance.now();
    for (let k = 0; k < 200; k++) {
      const i = (k * 4999) % N;
      leaf.writeUInt32BE(i);
      expect(verifyInclusion(i, N, leafHash(leaf), t.inclusionProof(i), root)).to.equal(true);
    }
    const c = t.consistencyProof(N - 1);
    expect(verifyConsistency(N - 1, N, t.root(N - 1), root, c)).to.equal(true);
    expect((performance.now() - started) / 200).to.be.below(5);
  });
});

/** The complete subtrees CompactRange reports while `leaves` are appended, and a reader over them. */
function emitted(leafHashes: Buffer[]): { nodes: TreeNode[]; get: NodeReader } {
  const nodes: TreeNode[] = [];
  const r = CompactRange.empty();
  for (const l of leafHashes) r.appendLeafHash(l, (level, idx, hash) => nodes.push({ level, idx, hash }));
  const byKey = new Map(nodes.map((n) => [`${n.level}/${n.idx}`, n.hash]));
  return {
    nodes,
    get: (level, idx) => {
      const x = byKey.get(`${level}/${idx}`);
      if (!x) throw new Error(`no node ${level}/${idx}`);
      return x;
    },
  };
}

const hexes = (bs: Buffer[]) => bs.map((b) => b.toString('hex'));

describe('the stored tree (src/audit/tree-store.ts): proofs from complete subtrees, in memory and in PostgreSQL', () => {
  const refLeaves = LEAF_INPUTS.map((l) => leafHash(h(l)));

  it('stores exactly the reference complete subtrees, level by level, as the leaves are appended', () => {
    const { nodes } = emitted(refLeaves);
    const levels: string[][] = [];
    for (const n of nodes) (levels[n.level] ??= [])[n.idx] = n.hash.toString('hex');
    expect(levels).to.deep.equal(NODE_HASHES);
    // Each node once, reported when its last leaf arrives: 2n − popcount(n) for n leaves.
    expect(emitted(Array.from({ length: 13 }, (_, i) => leafHash(Buffer.from([i])))).nodes).to.have.length(26 - 3);
  });

  it("gives the reference roots and proofs, and MerkleTree's on every size, index and pair up to 70 leaves", () => {
    const { get } = emitted(refLeaves);
    ROOT_HASHES.forEach((r, n) => expect(rootFrom(get, n).toString('hex'), `root ${n}`).to.equal(r));
    for (const v of INCLUSION_PROOFS) expect(hexes(inclusionProofFrom(get, v.leaf - 1, v.size))).to.deep.equal(v.proof);
    for (const v of CONSISTENCY_PROOFS) {
      expect(hexes(consistencyProofFrom(get, v.size1, v.size2)), `${v.size1}→${v.size2}`).to.deep.equal(v.proof);
    }
    const leaves = Array.from({ length: 70 }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
    const t = MerkleTree.fromLeafHashes(leaves);
    const e = emitted(leaves);
    for (let n = 1; n <= 70; n++) {
      expect(rootFrom(e.get, n).equals(t.root(n))).to.equal(true);
      for (let i = 0; i < n; i++)
        expect(hexes(inclusionProofFrom(e.get, i, n))).to.deep.equal(hexes(t.inclusionProof(i, n)));
      for (let m = 0; m <= n; m++) {
        expect(hexes(consistencyProofFrom(e.get, m, n)), `${m}→${n}`).to.deep.equal(hexes(t.consistencyProof(m, n)));
      }
    }
    expect(() => inclusionProofFrom(e.get, 5, 5)).to.throw(RangeError);
    expect(() => consistencyProofFrom(e.get, 6, 5)).to.throw(RangeError);
  });

  describe('in audit_tree_nodes', () => {
    beforeEach(() => resetData());

    it('answers the reference proofs from the stored rows', async () => {
      await storeTreeNodes(testDb().ds, emitted(refLeaves).nodes);
      const sql = testDb().ds;
      expect(await storedTreeSize(sql)).to.equal(8);
      for (let n = 1; n <= 8; n++) expect((await storedRoot(sql, n)).toString('hex')).to.equal(ROOT_HASHES[n]);
      for (const v of INCLUSION_PROOFS) {
        expect(hexes(await storedInclusionProof(sql, v.leaf - 1, v.size))).to.deep.equal(v.proof);
      }
      for (const v of CONSISTENCY_PROOFS) {
        expect(hexes(await storedConsistencyProof(sql, v.size1, v.size2))).to.deep.equal(v.proof);
      }
    });

    it('equals MerkleTree on many sizes and indices of a 1,000-leaf tree; storing twice changes nothing', async () => {
      const sql = testDb().ds;
      const leaves = Array.from({ length: 1000 }, (_, i) => leafHash(Buffer.from(`stored ${i}`)));
      const t = MerkleTree.fromLeafHashes(leaves);
      const { nodes } = emitted(leaves);
      await storeTreeNodes(sql, nodes.slice(0, 700));
      await storeTreeNodes(sql, nodes); // overlapping: ON CONFLICT DO NOTHING
      const [{ c }] = await sql.query(`SELECT count(*)::int AS c FROM audit_tree_nodes`);
      expect(c).to.equal(nodes.length);
      for (const n of [1, 2, 3, 255, 256, 257, 511, 640, 999, 1000]) {
        expect((await storedRoot(sql, n)).equals(t.root(n)), `root ${n}`).to.equal(true);
        for (const i of [0, 1, n >> 1, n - 2, n - 1].filter((x) => x >= 0 && x < n)) {
          expect(hexes(await storedInclusionProof(sql, i, n)), `${i}/${n}`).to.deep.equal(
            hexes(t.inclusionProof(i, n)),
          );
        }
        for (const m of [1, 7, 128, 300, n - 1, n].filter((x) => x >= 1 && x <= n)) {
          expect(hexes(await storedConsistencyProof(sql, m, n)), `${m}→${n}`).to.deep.equal(
            hexes(t.consistencyProof(m, n)),
          );
        }
      }
      // One statement per proof, O(log n) rows: the 1000-leaf path reads ~log2 nodes.
      expect(await storedInclusionProof(sql, 0, 1000)).to.have.length(10);
    });

    it('says which node is missing beyond what is stored', async () => {
      const sql = testDb().ds;
      await storeTreeNodes(sql, emitted(refLeaves.slice(0, 5)).nodes);
      expect(await storedTreeSize(sql)).to.equal(5);
      const e = await storedInclusionProof(sql, 2, 8).catch((x: unknown) => x);
      expect(e).to.be.instanceOf(TreeNodeMissingError);
    });
  });
});
