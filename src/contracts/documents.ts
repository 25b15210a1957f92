/**
 * The submitted-documents checklist of regulation 2.6 (1): which documents a contract
 * registration must list, by kind of participant.
 */
export const CONTRACT_DOCUMENTS = [
  'APPLICATION_LETTER',
  'SIGNED_CONTRACT',
  'STATE_REGISTRATION_CERTIFICATE',
  'NOTARISED_REGISTRY_EXTRACT',
  'FOUNDERS_IDENTITY_DOCUMENTS',
  'GOOEN_COPY',
  'IDENTITY_DOCUMENT',
] as const;
export type ContractDocument = (typeof CONTRACT_DOCUMENTS)[number];

export type ParticipantKind = 'LEGAL_ENTITY' | 'NATURAL_PERSON';

/**
 * Legal entity: application letter, signed and sealed contract, copy of the state registration
 * certificate, notarised registry extract (non-commercial entities only), founders' identity
 * documents. Natural person: application letter, contract, GÖÖEN copy when there is no VÖEN,
 * identity document.
 */
export function requiredDocuments(
  kind: ParticipantKind,
  opts: { nonCommercial: boolean; hasVoen: boolean },
): ContractDocument[] {
  if (kind === 'LEGAL_ENTITY') {
    return [
      'APPLICATION_LETTER',
      'SIGNED_CONTRACT',
      'STATE_REGISTRATION_CERTIFICATE',
      ...(opts.nonCommercial ? ['NOTARISED_REGISTRY_EXTRACT' as const] : []),
      'FOUNDERS_IDENTITY_DOCUMENTS',
    ];
  }
  return [
    'APPLICATION_LETTER',
    'SIGNED_CONTRACT',
    ...(opts.hasVoen ? [] : ['GOOEN_COPY' as const]),
    'IDENTITY_DOCUMENT',
  ];
}

/** The required documents not in `submitted`, in checklist order. */
export function missingDocuments(
  kind: ParticipantKind,
  opts: { nonCommercial: boolean; hasVoen: boolean },
  submitted: readonly string[],
): ContractDocument[] {
  const have = new Set(submitted);
  return requiredDocuments(kind, opts).filter((d) => !have.has(d));
}
