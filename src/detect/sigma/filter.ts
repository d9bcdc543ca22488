/**
 * Filter documents (sigma-filters-specification 2.x) → ParsedFilter. A filter names the rules it
 * tunes (`rules`: ids or names, or `any`), a logsource, search identifiers and a condition; it
 * applies as "rule and not filter" (see compile.ts applyFilters).
 */
import { checkCondition, parseConditions } from './condition.ts';
import { invalid } from './errors.ts';
import { checkId, checkLogsource, optString, reqString, syntheticId } from './meta.ts';
import { parseDetection } from './detection.ts';
import type { ModifierContext } from './modifiers.ts';
import type { ParsedFilter } from './types.ts';
import { isObject } from './yaml.ts';

export function parseFilterDoc(doc: Record<string, unknown>, file: string, document: number, ctx: ModifierContext): ParsedFilter {
  const title = reqString(doc.title, 'title');
  const id = checkId(doc.id, false);
  const logsource = checkLogsource(doc.logsource);
  const f = doc.filter;
  if (!isObject(f)) throw invalid('filter', 'filter', 'must be a map with rules, search identifiers and a condition');
  let rules: string[] | 'any';
  const r = f.rules;
  if (r === undefined || r === null) throw invalid('missing-field', 'filter.rules', "missing required field (use 'any' to apply to every rule of the logsource)");
  if (typeof r === 'string' && (r.toLowerCase() === 'any' || r.toLowerCase() === 'all')) rules = 'any';
  else if (Array.isArray(r)) rules = r.length === 0 ? 'any' : r.map((x, i) => reqString(x, `filter.rules[${i}]`));
  else rules = [reqString(r, 'filter.rules')];
  if (f.condition === undefined || f.condition === null) throw invalid('missing-field', 'filter.condition', 'missing required field');
  const detection = parseDetection(f, ctx, 'filter', ['condition', 'rules']);
  const { text, ast } = parseConditions(f.condition, 'filter.condition');
  checkCondition(ast, detection.identifiers, 'filter.condition');
  const out: ParsedFilter = { id: id ?? syntheticId(doc), title, rules, logsource, detection, conditionText: text, condition: ast, file, document };
  if (id === undefined) out.syntheticId = true;
  for (const k of ['name', 'description', 'date', 'modified'] as const) {
    const s = optString(doc[k], k);
    if (s !== undefined) out[k] = s;
  }
  return out;
}
