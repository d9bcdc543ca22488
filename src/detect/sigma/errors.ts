/**
 * The one error type of the Sigma engine's parsing side. `path` names the field at fault
 * (`detection.selection.Image|foo`), `feature` classifies it for reports, `kind` says whether
 * the rule is invalid Sigma (`error`) or valid Sigma that Vigil does not run (`unsupported`).
 */
export class SigmaRuleError extends Error {
  readonly kind: 'error' | 'unsupported';
  readonly path: string;
  readonly feature: string;
  readonly detail: string;

  constructor(kind: 'error' | 'unsupported', feature: string, path: string, detail: string) {
    super(path ? `${path}: ${detail}` : detail);
    this.name = 'SigmaRuleError';
    this.kind = kind;
    this.feature = feature;
    this.path = path;
    this.detail = detail;
  }

  /** The same error located under another path prefix. */
  at(path: string): SigmaRuleError {
    return new SigmaRuleError(this.kind, this.feature, path, this.detail);
  }
}

export function invalid(feature: string, path: string, detail: string): SigmaRuleError {
  return new SigmaRuleError('error', feature, path, detail);
}

export function unsupported(feature: string, path: string, detail: string): SigmaRuleError {
  return new SigmaRuleError('unsupported', feature, path, detail);
}

/** Short printable form of a YAML value for messages. */
export function show(v: unknown): string {
  let s: string;
  if (typeof v === 'string') s = `'${v}'`;
  else {
    try {
      s = JSON.stringify(v) ?? String(v);
    } catch {
      s = String(v);
    }
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
