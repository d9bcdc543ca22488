import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Anchor, CompiledRule } from '../types.ts';
import { chooseAnchors } from './engine.ts';

const rule = (i: number, anchors: Anchor[] | null, choices?: Anchor[][]): CompiledRule => ({
  meta: { id: `r${i}`, title: `r${i}`, tags: [], logsource: { product: 'linux' }, file: 'x', document: 1 },
  match: () => false,
  anchors,
  ...(choices ? { anchorChoices: choices } : {}),
  cost: 1,
});

describe('chooseAnchors', () => {
  const common: Anchor[] = [{ field: 'event.action', literal: 'ssh_login' }];
  const own = (i: number): Anchor[] => [{ field: 'user.name', literal: `user-${i}-x` }];

  it('indexes the part of an AND that few other rules share', () => {
    const rules = Array.from({ length: 40 }, (_, i) => rule(i, common, [common, own(i)]));
    const chosen = chooseAnchors(rules);
    chosen.forEach((set, i) => assert.deepEqual(set, own(i)));
  });

  it("keeps the rule's own pick when its literal is rarely shared, or when the alternative is short", () => {
    const few = Array.from({ length: 5 }, (_, i) => rule(i, common, [common, own(i)]));
    assert.deepEqual(chooseAnchors(few), few.map(() => common));
    const short = Array.from({ length: 40 }, (_, i) => rule(i, common, [common, [{ field: 'user.name', literal: `u${i % 10}` }]]));
    assert.ok(chooseAnchors(short).every((set) => set === common));
  });

  it('leaves rules without choices or without anchors alone', () => {
    const rules = [rule(0, null), rule(1, common), ...Array.from({ length: 30 }, (_, i) => rule(i + 2, common))];
    const chosen = chooseAnchors(rules);
    assert.equal(chosen[0], null);
    assert.equal(chosen[1], common);
  });
});
