/** Helpers for the Sigma engine's tests (not part of the public API). */
import assert from 'node:assert/strict';
import type { CompiledRule, EventView } from '../types.ts';
import { compileRule } from './compile.ts';
import { seededRandom } from '../../lib/index.ts';
import { objectEventView } from './event.ts';
import { parseRuleText } from './load.ts';
import type { LoadOptions, SigmaRejection } from './types.ts';

export const ev = (o: Record<string, unknown>, time?: number): EventView => objectEventView(o, time);

/** A full rule document around a detection section written in YAML (indented by 4). */
export function ruleYaml(detection: string, extra = ''): string {
  const body = detection
    .trim()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
  return `title: Test rule\nid: 11111111-2222-4333-8444-555555555555\nlogsource:\n    product: test\n${extra}detection:\n${body}\n`;
}

/** Compile a rule from its detection section; fails the test when it is rejected. */
export function rule(detection: string, options: LoadOptions = {}): CompiledRule {
  const r = parseRuleText(ruleYaml(detection), 'test.yml', options);
  assert.equal(r.rejections.length, 0, r.rejections.map((x) => x.reason).join('; '));
  assert.equal(r.rules.length, 1);
  return compileRule(r.rules[0]!);
}

/** The rejection of a rule document (full text); fails the test when it is accepted. */
export function rejectText(text: string, options: LoadOptions = {}): SigmaRejection {
  const r = parseRuleText(text, 'bad.yml', options);
  assert.equal(r.rejections.length, 1, `expected one rejection, got ${r.rejections.length} (accepted ${r.rules.length + r.correlations.length + r.filters.length})`);
  return r.rejections[0]!;
}

/** The rejection of a detection section. */
export function reject(detection: string, options: LoadOptions = {}): SigmaRejection {
  return rejectText(ruleYaml(detection), options);
}

/** Does the rule (a detection section) match the event? */
export function matches(detection: string | CompiledRule, event: Record<string, unknown>, time?: number): boolean {
  const r = typeof detection === 'string' ? rule(detection) : detection;
  return r.match(ev(event, time));
}

/** Deterministic PRNG for property tests (the shared generator). */
export const rng = seededRandom;
