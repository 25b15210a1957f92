/**
 * What the audit record keeps of an operation, computed from its AST: redacted variables, the
 * hash of the normalised document, root fields, login attempts, rows returned.
 *
 * Redaction is by the ARGUMENT a value feeds, not by the variable's name: a client may call its
 * password variable `$p`. A variable is stored as "[redacted]" when any use of it in the document
 * is (inside) a secret argument:
 *  - an argument (or input-object field) named password, currentPassword, newPassword, signature,
 *    assertion or token, on any field;
 *  - an argument whose schema definition carries `extensions.sensitive = true`;
 *  - complaint personal data: the whole `input` of fileComplaint / recordPaperComplaint and the
 *    `answer` of answerComplaint (the record keeps the returned complaint id instead).
 * Inside other variables, object keys with a secret name are redacted at any depth. Variables the
 * document does not use, and all variables of a document that does not parse, are not stored
 * either (their role is unknown). Literal values in secret positions are masked in the document
 * before it is hashed, so the document hash cannot be brute-forced back to an inline password.
 */
import crypto from 'node:crypto';
import {
  Kind,
  print,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type ArgumentNode,
  type DocumentNode,
  type GraphQLSchema,
  type ObjectFieldNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
  type FragmentDefinitionNode,
  type VariableDefinitionNode,
  type ConstValueNode,
  type FieldNode,
  OperationTypeNode,
} from 'graphql';

export const REDACTED = '[redacted]';
export const UNUSED = '[not used by the operation]';

/** Argument and input-field names whose values are secrets wherever they appear. */
export const SECRET_NAMES: ReadonlySet<string> = new Set([
  'password',
  'currentPassword',
  'newPassword',
  'signature',
  'assertion',
  'token',
]);

/** Arguments holding complaint personal data: field name → argument names. */
export const PERSONAL_ARGUMENTS: Readonly<Record<string, ReadonlySet<string>>> = {
  fileComplaint: new Set(['input']),
  recordPaperComplaint: new Set(['input']),
  answerComplaint: new Set(['answer']),
};

/** Root mutation fields that returned a complaint whose id the record keeps. */
export const COMPLAINT_FIELDS: ReadonlySet<string> = new Set(Object.keys(PERSONAL_ARGUMENTS));

/** Login mutations and the method each attempts. */
export const LOGIN_FIELDS: Readonly<Record<string, 'PASSWORD' | 'SIGNATURE' | 'PORTAL'>> = {
  login: 'PASSWORD',
  loginWithSignature: 'SIGNATURE',
  loginWithWebEid: 'SIGNATURE',
  loginWithPortalAssertion: 'PORTAL',
};

/** Variables larger than this (canonical JSON) are stored as their size and SHA-256 only. */
export const MAX_VARIABLES_CHARS = 32_000;

export interface RootSelection {
  /** The field's name in the schema. */
  field: string;
  /** Its key in the response (alias or name). */
  responseKey: string;
}

export interface OperationFacts {
  operationType: 'query' | 'mutation' | 'subscription' | null;
  operationName: string | null;
  roots: readonly RootSelection[];
  /** Canonical JSON of the redacted variables. */
  variables: string;
  documentHash: Buffer | null;
  /** The method attempted when the operation is a login mutation. */
  loginMethod: 'PASSWORD' | 'SIGNATURE' | 'PORTAL' | null;
  /** The username a password login attempted (inline or from its variable); null otherwise. */
  loginUsername: string | null;
}

function isSecretArgument(field: string | undefined, arg: string, sensitive: boolean): boolean {
  return sensitive || SECRET_NAMES.has(arg) || (field !== undefined && PERSONAL_ARGUMENTS[field]?.has(arg) === true);
}

/** Replaces every literal in a value with "[redacted]"; variable references stay (they are stored redacted). */
function maskLiterals(v: ValueNode): ValueNode {
  switch (v.kind) {
    case Kind.VARIABLE:
      return v;
    case Kind.LIST:
      return { ...v, values: v.values.map(maskLiterals) };
    case Kind.OBJECT:
      return { ...v, fields: v.fields.map((f) => ({ ...f, value: maskLiterals(f.value) })) };
    default:
      return { kind: Kind.STRING, value: REDACTED };
  }
}

/**
 * Walks the whole document (fragments included): which variables feed a secret position, which
 * are used at all, and the document with secret literals masked.
 */
export function scanDocument(
  schema: GraphQLSchema | null,
  document: DocumentNode,
): {
  secretVariables: Set<string>;
  usedVariables: Set<string>;
  masked: DocumentNode;
} {
  const secretVariables = new Set<string>();
  const usedVariables = new Set<string>();
  const fields: string[] = [];
  const secret: boolean[] = [];
  const typeInfo = schema ? new TypeInfo(schema) : null;
  const visitor = {
    Field: {
      enter(node: { name: { value: string } }) {
        fields.push(node.name.value);
      },
      leave() {
        fields.pop();
      },
    },
    Argument: {
      enter(node: ArgumentNode) {
        const sensitive = typeInfo?.getArgument()?.extensions?.sensitive === true;
        const own = isSecretArgument(fields[fields.length - 1], node.name.value, sensitive);
        secret.push(own || secret[secret.length - 1] === true);
        return own ? { ...node, value: maskLiterals(node.value) } : undefined;
      },
      leave() {
        secret.pop();
      },
    },
    ObjectField: {
      enter(node: ObjectFieldNode) {
        const own = SECRET_NAMES.has(node.name.value);
        secret.push(own || secret[secret.length - 1] === true);
        return own ? { ...node, value: maskLiterals(node.value) } : undefined;
      },
      leave() {
        secret.pop();
      },
    },
    VariableDefinition: () => false as const, // `$p: String!` declares, it does not use
    Variable(node: { name: { value: string } }) {
      usedVariables.add(node.name.value);
      if (secret[secret.length - 1] === true) secretVariables.add(node.name.value);
    },
  };
  let masked = visit(
    document,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- hand-typed nodes: not an ASTVisitor
    (typeInfo ? visitWithTypeInfo(typeInfo, visitor as any) : visitor) as any,
  ) as DocumentNode;
  // A default value of a secret variable (`$p: String = "…"`) is a secret literal too.
  if (secretVariables.size > 0) {
    masked = visit(masked, {
      VariableDefinition(node: VariableDefinitionNode) {
        return node.defaultValue && secretVariables.has(node.variable.name.value)
          ? { ...node, defaultValue: maskLiterals(node.defaultValue) as ConstValueNode }
          : undefined;
      },
    });
  }
  return { secretVariables, usedVariables, masked };
}

/** Deterministic JSON: object keys sorted at every depth. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'null';
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** Secret-named keys inside a variable's value are redacted at any depth. */
function redactKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(redactKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = SECRET_NAMES.has(k) ? REDACTED : redactKeys(x);
    return out;
  }
  return v;
}

/**
 * The variables as stored: secret-fed ones replaced, unused ones replaced, the rest with
 * secret-named keys redacted. `scan` null means the document did not parse: nothing is kept.
 */
export function redactVariables(
  variables: Record<string, unknown> | undefined | null,
  scan: { secretVariables: Set<string>; usedVariables: Set<string> } | null,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!variables || typeof variables !== 'object') return out;
  for (const [name, value] of Object.entries(variables)) {
    if (!scan || scan.secretVariables.has(name) || SECRET_NAMES.has(name)) out[name] = REDACTED;
    else if (!scan.usedVariables.has(name)) out[name] = UNUSED;
    else out[name] = redactKeys(value);
  }
  return out;
}

function storedVariables(redacted: Record<string, unknown>): string {
  const json = canonicalJson(redacted);
  if (json.length <= MAX_VARIABLES_CHARS) return json;
  return canonicalJson({
    '[too large]': { chars: json.length, sha256: crypto.createHash('sha256').update(json).digest('hex') },
  });
}

/** The root fields of the selected operation (through inline fragments and fragment spreads). */
export function rootSelections(document: DocumentNode, operation: OperationDefinitionNode): RootSelection[] {
  return rootNodes(document, operation).map(({ field, responseKey }) => ({ field, responseKey }));
}

/** rootSelections with the (first) field node of each. */
function rootNodes(
  document: DocumentNode,
  operation: OperationDefinitionNode,
): (RootSelection & { node: FieldNode })[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const out: (RootSelection & { node: FieldNode })[] = [];
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode, depth: number) => {
    if (depth > 20) return;
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) {
        const key = s.alias?.value ?? s.name.value;
        if (!seen.has(key)) {
          seen.add(key);
          out.push({ field: s.name.value, responseKey: key, node: s });
        }
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        walk(s.selectionSet, depth + 1);
      } else {
        const f = fragments.get(s.name.value);
        if (f) walk(f.selectionSet, depth + 1);
      }
    }
  };
  walk(operation.selectionSet, 0);
  return out;
}

/**
 * The scan and the hash of a document, computed once per parsed document: Apollo Server keeps parsed
 * documents in its document store, so the same query text arrives as the same DocumentNode and every
 * request after the first skips the walk, the print and the hash (the largest part of the accounting's
 * CPU for small operations, docs/benchmarks.md). Documents and their scans are never mutated.
 */
const scans = new WeakMap<DocumentNode, { schema: GraphQLSchema | null; scan: DocumentScan; documentHash: Buffer }>();

type DocumentScan = ReturnType<typeof scanDocument>;

type OperationRoots = { nodes: readonly (RootSelection & { node: FieldNode })[]; selections: readonly RootSelection[] };
const NO_ROOTS: OperationRoots = { nodes: [], selections: [] };
/** The root selections of an operation node, found once per parsed document like its scan (never mutated). */
const rootsOf = new WeakMap<OperationDefinitionNode, OperationRoots & { document: DocumentNode }>();

function operationRoots(document: DocumentNode, operation: OperationDefinitionNode): OperationRoots {
  const cached = rootsOf.get(operation);
  if (cached && cached.document === document) return cached;
  const nodes = Object.freeze(rootNodes(document, operation));
  const selections = Object.freeze(nodes.map(({ field, responseKey }) => Object.freeze({ field, responseKey })));
  rootsOf.set(operation, { document, nodes, selections });
  return { nodes, selections };
}

function scannedDocument(
  schema: GraphQLSchema | null,
  document: DocumentNode,
): { scan: DocumentScan; documentHash: Buffer } {
  const cached = scans.get(document);
  if (cached && cached.schema === schema) return cached;
  const scan = scanDocument(schema, document);
  const documentHash = crypto.createHash('sha256').update(print(scan.masked), 'utf8').digest();
  scans.set(document, { schema, scan, documentHash });
  return { scan, documentHash };
}

/** Everything the record keeps of the request itself (not of its result). */
export function describeOperation(
  schema: GraphQLSchema | null,
  document: DocumentNode | undefined,
  operation: OperationDefinitionNode | undefined,
  variables: Record<string, unknown> | undefined | null,
): OperationFacts {
  if (!document) {
    return {
      operationType: null,
      operationName: null,
      roots: [],
      variables: storedVariables(redactVariables(variables, null)),
      documentHash: null,
      loginMethod: null,
      loginUsername: null,
    };
  }
  const { scan, documentHash } = scannedDocument(schema, document);
  const { nodes: roots, selections } = operation ? operationRoots(document, operation) : NO_ROOTS;
  const operationType = operation?.operation ?? null;
  let loginMethod: OperationFacts['loginMethod'] = null;
  let loginUsername: string | null = null;
  if (operationType === OperationTypeNode.MUTATION) {
    for (const r of roots) {
      if (loginMethod === null && LOGIN_FIELDS[r.field]) {
        loginMethod = LOGIN_FIELDS[r.field];
        loginUsername = r.field === 'login' ? attemptedUsername(r.node, variables) : null;
      }
    }
  }
  return {
    operationType: operationType as OperationFacts['operationType'],
    operationName: operation?.name?.value ?? null,
    roots: selections,
    variables: storedVariables(redactVariables(variables, scan)),
    documentHash,
    loginMethod,
    loginUsername,
  };
}

/** The `username` argument of a `login` selection: an inline string or the string its variable holds. */
function attemptedUsername(
  node: FieldNode | undefined,
  variables: Record<string, unknown> | undefined | null,
): string | null {
  const arg = node?.arguments?.find((a) => a.name.value === 'username');
  if (!arg) return null;
  if (arg.value.kind === Kind.STRING) return arg.value.value;
  if (arg.value.kind === Kind.VARIABLE) {
    const v = variables?.[arg.value.name.value];
    return typeof v === 'string' ? v : null;
  }
  return null;
}

/**
 * Why an operation may not run because of a login in it, or null: a login mutation must be the
 * only root selection of its operation, so that what else a request does is never mistaken for
 * (or done under) the session the login opens. Checked before anything executes.
 */
export function loginAloneViolation(document: DocumentNode, operation: OperationDefinitionNode): string | null {
  if (operation.operation !== OperationTypeNode.MUTATION) return null;
  const roots = rootSelections(document, operation);
  const login = roots.find((r) => LOGIN_FIELDS[r.field] !== undefined);
  if (!login || roots.length === 1) return null;
  const others = roots.filter((r) => r !== login).map((r) => r.responseKey);
  return `${login.field} must be the only field of its operation; send ${others.join(', ')} in another request`;
}

/** The list fields of a page or result object whose items are the rows a root field returned. */
export const ROW_LISTS: ReadonlySet<string> = new Set(['edges', 'nodes', 'rows']);

/**
 * Rows returned, as recorded: for each root field of the response, a list counts its items; an
 * object with page lists at its first level (a connection's `edges` or `nodes`, statistics `rows`)
 * counts their items; any other object counts 1 (a declaration, the viewer, a session); null and
 * scalars count 0. Lists nested in a row (a declaration's items) are part of that row.
 */
export function countRows(data: Record<string, unknown> | null | undefined): number {
  if (!data) return 0;
  let n = 0;
  for (const v of Object.values(data)) {
    if (Array.isArray(v)) n += v.length;
    else if (v && typeof v === 'object') {
      let pages = 0;
      let items = 0;
      for (const [k, x] of Object.entries(v)) {
        if (ROW_LISTS.has(k) && Array.isArray(x)) {
          pages += 1;
          items += x.length;
        }
      }
      n += pages > 0 ? items : 1;
    }
  }
  return n;
}

/** The id of the first complaint a complaint mutation returned (when the response selected it). */
export function complaintIdOf(
  data: Record<string, unknown> | null | undefined,
  roots: readonly RootSelection[],
): string | null {
  if (!data) return null;
  for (const r of roots) {
    if (!COMPLAINT_FIELDS.has(r.field)) continue;
    const v = data[r.responseKey] as { id?: unknown } | null | undefined;
    if (v && (typeof v.id === 'string' || typeof v.id === 'number')) return String(v.id);
  }
  return null;
}
