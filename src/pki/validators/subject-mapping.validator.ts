/** The subject must map to a participant identity by the configured profile. Throws CERT_SUBJECT_UNMAPPED. */
import { CertSubjectUnmappedError } from '../../shared/errors';
import { mapSubject, type SubjectProfile } from '../subject-mapping';
import type { CertificateContext, Validator } from './types';

export function subjectMappingValidator(profile: SubjectProfile): Validator<CertificateContext> {
  return (ctx) => {
    const outcome = mapSubject(ctx.leaf, profile);
    if ('reason' in outcome) throw new CertSubjectUnmappedError(outcome.reason);
    ctx.mapping = outcome.mapping;
  };
}
