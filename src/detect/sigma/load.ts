/**
 * Loading: files and folders (recursively, `.yml`/`.yaml`), YAML multi-document files with the
 * collection actions (`action: global` / `reset` / `repeat`, as pySigma), and each document
 * parsed and checked as a detection rule, a correlation or a filter. Nothing is skipped silently:
 * every document that is not accepted becomes a rejection naming the file, the rule (id or title)
 * and the field at fault, classified `error` (invalid Sigma) or `unsupported` (valid Sigma Vigil
 * does not run).
 */
import { readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SigmaRuleMeta } from '../types.ts';
import { checkCondition, parseConditions } from './condition.ts';
import { parseCorrelationDoc } from './correlation.ts';
import { parseDetection } from './detection.ts';
import { SigmaRuleError, invalid, unsupported } from './errors.ts';
import { parseFilterDoc } from './filter.ts';
import { checkId, checkLevel, checkLogsource, checkStatus, optString, reqString, stringList, syntheticId } from './meta.ts';
import type { LoadOptions, LoadResult, ParsedCorrelation, ParsedRule, SigmaRejection } from './types.ts';
import { isObject, readYamlDocuments } from './yaml.ts';

const RULE_FILE = /\.ya?ml$/i;

// ---------------------------------------------------------------------------------------------
// Detection rule documents

/** Parse one detection rule document (already merged with its collection template). */
export function parseRuleDoc(doc: Record<string, unknown>, file: string, document: number, options: LoadOptions = {}): ParsedRule {
  const title = reqString(doc.title, 'title');
  const id = checkId(doc.id, true);
  const logsource = checkLogsource(doc.logsource);
  const det = doc.detection;
  if (det === undefined || det === null) throw invalid('missing-field', 'detection', 'missing required field');
  if (!isObject(det)) throw invalid('detection', 'detection', 'must be a map of search identifiers and a condition');
  if (det.condition === undefined || det.condition === null) throw invalid('missing-field', 'detection.condition', 'missing required field');
  if (det.timeframe !== undefined) {
    throw unsupported('aggregation', 'detection.timeframe', 'the old aggregation time frame is not supported (Sigma replaced it with correlation rules)');
  }
  // The condition first: old aggregation syntax makes everything else moot.
  const { text, ast } = parseConditions(det.condition, 'detection.condition');
  const detection = parseDetection(det, { placeholders: options.placeholders }, 'detection');
  checkCondition(ast, detection.identifiers, 'detection.condition');

  const meta: SigmaRuleMeta = {
    id: id ?? syntheticId(doc),
    title,
    tags: stringList(doc.tags, 'tags') ?? [],
    logsource,
    file,
    document,
  };
  const status = checkStatus(doc.status);
  if (status !== undefined) meta.status = status;
  const level = checkLevel(doc.level);
  if (level !== undefined) meta.level = level;
  for (const k of ['description', 'author', 'date', 'modified', 'name'] as const) {
    const s = optString(doc[k], k);
    if (s !== undefined) meta[k] = s;
  }
  for (const k of ['references', 'falsepositives', 'fields'] as const) {
    const l = stringList(doc[k], k);
    if (l !== undefined) meta[k] = l;
  }
  const rule: ParsedRule = { meta, detection, conditionText: text, condition: ast };
  if (id === undefined) rule.syntheticId = true;
  if (Array.isArray(doc.related)) {
    rule.related = doc.related.map((r, i) => {
      if (!isObject(r)) throw invalid('metadata', `related[${i}]`, 'must be a map with id and type');
      return { id: reqString(r.id, `related[${i}].id`), type: reqString(r.type, `related[${i}].type`) };
    });
  }
  return rule;
}

// ---------------------------------------------------------------------------------------------
// Collections (multi-document files)

function deepMerge(dest: Record<string, unknown>, src: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...dest };
  for (const [k, v] of Object.entries(src)) {
    const d = out[k];
    out[k] = isObject(v) ? deepMerge(isObject(d) ? d : {}, v) : v;
  }
  return out;
}

function withoutAction(v: Record<string, unknown>): Record<string, unknown> {
  const { action: _a, ...rest } = v;
  return rest;
}

function rejection(file: string, doc: unknown, index: number, err: unknown): SigmaRejection {
  const d = isObject(doc) ? doc : {};
  const id = typeof d.id === 'string' ? d.id : null;
  const title = typeof d.title === 'string' ? d.title : undefined;
  const r: SigmaRejection =
    err instanceof SigmaRuleError
      ? { file, rule_id: id, reason: err.message, kind: err.kind, feature: err.feature, document: index }
      : { file, rule_id: id, reason: `internal error: ${(err as Error)?.message ?? String(err)}`, kind: 'error', feature: 'internal', document: index };
  if (title !== undefined) r.title = title;
  return r;
}

function emptyResult(): LoadResult {
  return { rules: [], correlations: [], filters: [], rejections: [], files: 0, documents: 0 };
}

/**
 * Parse the text of one file (one or more YAML documents). `file` names it in results and
 * messages. Cross-file checks (duplicate ids, correlation references) are loadRules' job.
 */
export function parseRuleText(text: string, file: string, options: LoadOptions = {}): LoadResult {
  const res = emptyResult();
  res.files = 1;
  let docs;
  try {
    docs = readYamlDocuments(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    res.documents = 1;
    res.rejections.push({ file, rule_id: null, reason: `YAML: ${(e as Error).message}`, kind: 'error', feature: 'yaml', document: 1 });
    return res;
  }
  let global: Record<string, unknown> = {};
  let prev: Record<string, unknown> | null = null;
  for (const d of docs) {
    if (d.errors.length > 0) {
      res.documents++;
      res.rejections.push({ file, rule_id: null, reason: `YAML: ${d.errors.join('; ')}`, kind: 'error', feature: 'yaml', document: d.index });
      continue;
    }
    let doc = d.value;
    if (isObject(doc) && doc.action !== undefined) {
      const action = doc.action;
      if (action === 'global') {
        global = withoutAction(doc);
        prev = global;
        continue;
      }
      if (action === 'reset') {
        global = {};
        continue;
      }
      if (action === 'repeat') {
        if (prev === null) {
          res.documents++;
          res.rejections.push(rejection(file, doc, d.index, invalid('collection', 'action', "'repeat' without a previous document")));
          continue;
        }
        prev = deepMerge(prev, withoutAction(doc));
        doc = prev;
      } else {
        res.documents++;
        res.rejections.push(rejection(file, doc, d.index, invalid('collection', 'action', `unknown collection action ${JSON.stringify(action)} (global, reset or repeat)`)));
        continue;
      }
    } else if (isObject(doc)) {
      doc = deepMerge(doc, global);
      prev = doc as Record<string, unknown>;
    }
    res.documents++;
    try {
      if (!isObject(doc)) throw invalid('document', '', 'a Sigma document must be a YAML map');
      if (doc.correlation !== undefined) res.correlations.push(parseCorrelationDoc(doc, file, d.index));
      else if (doc.filter !== undefined && doc.detection === undefined) res.filters.push(parseFilterDoc(doc, file, d.index, { placeholders: options.placeholders }));
      else res.rules.push(parseRuleDoc(doc, file, d.index, options));
    } catch (e) {
      res.rejections.push(rejection(file, doc, d.index, e));
    }
  }
  return res;
}

// ---------------------------------------------------------------------------------------------
// Files and folders

function collectFiles(path: string, out: string[], seen: Set<string>, errors: SigmaRejection[]): void {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    errors.push({ file: path, rule_id: null, reason: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, kind: 'error', feature: 'io' });
    return;
  }
  if (st.isDirectory()) {
    let real: string;
    try {
      real = realpathSync(path);
    } catch {
      real = path;
    }
    if (seen.has(real)) return;
    seen.add(real);
    let entries: string[];
    try {
      entries = readdirSync(path).sort();
    } catch (e) {
      errors.push({ file: path, rule_id: null, reason: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, kind: 'error', feature: 'io' });
      return;
    }
    for (const name of entries) {
      if (name.startsWith('.')) continue;
      const p = join(path, name);
      let s;
      try {
        s = statSync(p);
      } catch {
        continue;
      }
      if (s.isDirectory()) collectFiles(p, out, seen, errors);
      else if (RULE_FILE.test(name)) out.push(p);
    }
  } else out.push(path);
}

/** Files (`.yml`/`.yaml`) under the given files and folders, in a stable order. */
export function ruleFiles(paths: string[]): { files: string[]; errors: SigmaRejection[] } {
  const files: string[] = [];
  const errors: SigmaRejection[] = [];
  const seen = new Set<string>();
  for (const p of paths) collectFiles(p, files, seen, errors);
  return { files: [...new Set(files)], errors };
}

/** Reject later documents reusing an id, and correlations whose references do not resolve. */
function crossCheck(res: LoadResult): void {
  const firstSeen = new Map<string, string>();
  const dup = (id: string, file: string): string | null => {
    const f = firstSeen.get(id);
    if (f !== undefined) return f;
    firstSeen.set(id, file);
    return null;
  };
  const keepRules: ParsedRule[] = [];
  for (const r of res.rules) {
    const other = dup(r.meta.id, r.meta.file);
    if (other !== null) {
      res.rejections.push({ file: r.meta.file, rule_id: r.meta.id, title: r.meta.title, reason: `id: duplicate id (already used in ${other})`, kind: 'error', feature: 'duplicate-id', document: r.meta.document });
    } else keepRules.push(r);
  }
  res.rules = keepRules;
  let corr: ParsedCorrelation[] = [];
  for (const c of res.correlations) {
    const other = dup(c.id, c.file);
    if (other !== null) {
      res.rejections.push({ file: c.file, rule_id: c.id, title: c.title, reason: `id: duplicate id (already used in ${other})`, kind: 'error', feature: 'duplicate-id', document: c.document });
    } else corr.push(c);
  }
  // Resolve references by id or name, to a fixed point (correlations may chain).
  const rejectedIds = new Set(res.rejections.map((r) => r.rule_id).filter((x): x is string => x !== null));
  for (;;) {
    const known = new Map<string, string>();
    for (const r of res.rules) {
      known.set(r.meta.id, r.meta.id);
      if (r.meta.name !== undefined) known.set(r.meta.name, r.meta.id);
    }
    for (const c of corr) {
      known.set(c.id, c.id);
      if (c.name !== undefined) known.set(c.name, c.id);
    }
    const next: ParsedCorrelation[] = [];
    for (const c of corr) {
      const missing = c.rules.filter((r) => !known.has(r));
      if (missing.length > 0) {
        res.rejections.push({
          file: c.file,
          rule_id: c.syntheticId ? null : c.id,
          title: c.title,
          reason: `correlation.rules: ${missing
            .map((m) => (rejectedIds.has(m) ? `rule '${m}' was rejected` : `unknown rule reference '${m}' (no loaded rule has this id or name)`))
            .join('; ')}`,
          kind: 'error',
          feature: 'reference',
          document: c.document,
        });
      } else {
        c.resolved = c.rules.map((r) => known.get(r)!);
        next.push(c);
      }
    }
    const stable = next.length === corr.length;
    corr = next;
    if (stable) break;
  }
  res.correlations = corr;
}

/**
 * Load every rule, correlation and filter document under the given files and folders.
 * Placeholders (for `expand`) come from options.
 */
export function loadRules(paths: string[], options: LoadOptions = {}): LoadResult {
  const res = emptyResult();
  const { files, errors } = ruleFiles(paths);
  res.rejections.push(...errors);
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      res.rejections.push({ file, rule_id: null, reason: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, kind: 'error', feature: 'io' });
      continue;
    }
    const r = parseRuleText(text, file, options);
    res.files++;
    res.documents += r.documents;
    res.rules.push(...r.rules);
    res.correlations.push(...r.correlations);
    res.filters.push(...r.filters);
    res.rejections.push(...r.rejections);
  }
  crossCheck(res);
  return res;
}
