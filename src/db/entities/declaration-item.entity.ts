import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { DeclarationEntity, DeclarationLevelColumns } from './declaration.entity';

/** A decimal quantity or amount as the table has it: numeric(18, scale), read as a string (no float rounding). */
function Decimal(name: string, scale: 2 | 3, opts: { nullable?: boolean } = {}): PropertyDecorator {
  return Column({ name, type: 'numeric', precision: 18, scale, ...opts });
}

/** One goods item of a declaration; repeats the declaration-level columns statistics group by. */
@Entity({ name: 'declaration_items' })
@ForeignKey(() => DeclarationEntity, ['participantId', 'declarationId'], ['participantId', 'id'], {
  name: 'declaration_items_participant_id_declaration_id_fkey',
  onDelete: 'CASCADE',
})
// Statistics always filter by participant and usually by a date range.
@Index('declaration_items_stats_idx', ['participantId', 'registrationDate'])
@Index('declaration_items_hs_idx', ['participantId', 'hsCode'])
@Check('declaration_items_item_number_check', 'item_number >= 1')
@Check('declaration_items_direction_check', "direction IN ('IM', 'EX')")
@Check('declaration_items_hs_code_check', "hs_code ~ '^[0-9]{10}$'")
@Check('declaration_items_net_weight_kg_check', 'net_weight_kg >= 0')
@Check('declaration_items_check', 'gross_weight_kg >= net_weight_kg')
@Check('declaration_items_supplementary_quantity_check', 'supplementary_quantity >= 0')
@Check('declaration_items_invoice_value_check', 'invoice_value >= 0')
@Check('declaration_items_customs_value_azn_check', 'customs_value_azn >= 0')
@Check('declaration_items_statistical_value_usd_check', 'statistical_value_usd >= 0')
export class DeclarationItemEntity extends DeclarationLevelColumns {
  @PrimaryColumn({ name: 'participant_id', type: 'bigint' })
  participantId: string;

  @PrimaryColumn({ name: 'declaration_id', type: 'bigint' })
  declarationId: string;

  @PrimaryColumn({ name: 'item_number', type: 'integer' })
  itemNumber: number;

  @Column({ name: 'hs_code', type: 'char', length: 10 })
  hsCode: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ name: 'origin_country', type: 'char', length: 2, nullable: true })
  originCountry: string | null;

  @Column({ name: 'partner_country', type: 'char', length: 2 })
  partnerCountry: string;

  @Column({ name: 'transport_mode', type: 'char', length: 1, nullable: true })
  transportMode: string | null;

  @Decimal('net_weight_kg', 3) netWeightKg: string;

  @Decimal('gross_weight_kg', 3) grossWeightKg: string;

  @Decimal('supplementary_quantity', 3, { nullable: true }) supplementaryQuantity: string | null;

  @Column({ name: 'supplementary_unit', type: 'text', nullable: true })
  supplementaryUnit: string | null;

  @Decimal('invoice_value', 2, { nullable: true }) invoiceValue: string | null;

  @Column({ name: 'invoice_currency', type: 'char', length: 3, nullable: true })
  invoiceCurrency: string | null;

  @Decimal('customs_value_azn', 2) customsValueAzn: string;

  @Decimal('statistical_value_usd', 2) statisticalValueUsd: string;

  @Column({ name: 'unknown_reference', type: 'text', array: true, default: () => "'{}'" })
  unknownReference: string[];
}
