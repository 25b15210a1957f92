/**
 * A GraphQL response serialised once: the audit plugin serialises the response without its receipt
 * (the bytes its record hashes), then splices the receipt into those bytes, and Apollo Server sends
 * exactly that string (its `stringifyResult` option, `stringifyAuditedResult` below) instead of
 * serialising the same result a second time.
 *
 * The text is Apollo Server's own serialisation (runHttpQuery's prettyJSONStringify of
 * `{ errors, data, extensions }`), built from parts:
 *
 *   without the receipt  JSON.stringify({ errors, data, extensions }) + "\n"
 *   as sent              JSON.stringify({ errors, data, extensions: { ...extensions, receipt } }) + "\n"
 *
 * byte for byte (test/audit/wire.spec.ts), so the documented recomputation (src/audit/README.md,
 * receipt.ts `responseHashOf`) holds on the bytes a client receives.
 */
import type { FormattedExecutionResult } from 'graphql';

interface ResultLike {
  errors?: unknown;
  data?: unknown;
  extensions?: Record<string, unknown>;
}

/** A response serialised without its receipt, ready to take one. */
export interface SerialisedResponse {
  /** The exact text the record's response hash covers: the response as sent without the receipt. */
  readonly text: string;
  /** `{"errors":…,"data":…` without the closing brace (`{` when both are absent). */
  readonly head: string;
  /** JSON of the extensions without the receipt; null when there are none to send. */
  readonly extensions: string | null;
}

/**
 * Serialises a single result as Apollo Server does. Extensions that serialise to `{}` (none, or only
 * undefined members) are left out and removed from `result`: the service never sends an empty
 * `extensions`, which a client removing the receipt could not tell from an absent one.
 */
export function serialiseResponse(result: ResultLike): SerialisedResponse {
  const core = JSON.stringify({ errors: result.errors, data: result.data });
  const head = core.slice(0, -1);
  let extensions: string | null = null;
  if (result.extensions !== undefined) {
    const json = JSON.stringify(result.extensions) as string | undefined;
    if (json === undefined || json === '{}') delete result.extensions;
    else extensions = json;
  }
  const text = extensions === null ? `${core}\n` : `${head}${sep(head)}"extensions":${extensions}}\n`;
  return { text, head, extensions };
}

const sep = (head: string) => (head.length > 1 ? ',' : '');

/** The text as sent: `s` with `receipt` as the last member of its extensions. */
export function withReceipt(s: SerialisedResponse, receipt: unknown): string {
  const r = `"receipt":${JSON.stringify(receipt)}`;
  const ext = s.extensions === null ? `{${r}}` : `${s.extensions.slice(0, -1)},${r}}`;
  return `${s.head}${sep(s.head)}"extensions":${ext}}\n`;
}

/** Texts already serialised, by the extensions object of the result Apollo Server is about to serialise. */
const sent = new WeakMap<object, { text: string; errors: unknown; data: unknown }>();

/**
 * Registers `text` as the serialisation of `result` (whose extensions object must be one of its own,
 * not shared with another result). Apollo Server then sends `text` for it, unless the result's data or
 * errors were replaced in the meantime.
 */
export function serialisedAs(result: ResultLike, text: string): void {
  if (result.extensions) sent.set(result.extensions, { text, errors: result.errors, data: result.data });
}

/**
 * Apollo Server's `stringifyResult`: the text the audit plugin registered for this result (serialised and
 * hashed once), else Apollo's own serialisation.
 */
export function stringifyAuditedResult(value: FormattedExecutionResult): string {
  const known = value.extensions ? sent.get(value.extensions) : undefined;
  if (known && known.data === value.data && known.errors === value.errors) return known.text;
  return `${JSON.stringify(value)}\n`;
}
