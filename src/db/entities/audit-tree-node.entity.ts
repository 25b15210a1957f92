import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One complete subtree of the audit log's RFC 6962 Merkle tree: level h covers 2^h leaves, idx is its
 * position at that level (src/audit/tree-store.ts). Written by the checkpointer, append-only.
 * Migration 1764000001100.
 */
@Entity({ name: 'audit_tree_nodes' })
@Check('audit_tree_nodes_level_check', 'level >= 0 AND level < 64')
@Check('audit_tree_nodes_idx_check', 'idx >= 0')
@Check('audit_tree_nodes_hash_check', 'octet_length(hash) = 32')
export class AuditTreeNodeEntity {
  @PrimaryColumn({ type: 'smallint' }) level: number;
  @PrimaryColumn({ type: 'bigint' }) idx: string;
  @Column({ type: 'bytea' }) hash: Buffer;
}
