import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import {
  attackFromTags, canonicalTactic, KILL_CHAIN_PHASES, latestKillChainPhase, parseAttackTags, tacticDisplayName, tacticId,
  tacticInfo, TACTIC_KILL_CHAIN, TACTICS, techniqueInfo, tacticsOfTechnique,
} from './index.ts';
import { TACTIC_ROWS, TECHNIQUE_ROWS } from './table.ts';

const ATTACK_DATA = '/work/shared/data/attack';
const SIGMA = '/work/shared/data/sigma';

describe('ATT&CK tables', () => {
  it('holds v18.1 with the v19 tactics on top', () => {
    assert.equal(TACTIC_ROWS.length, 14);
    assert.equal(Object.keys(TECHNIQUE_ROWS).length, 835);
    assert.deepEqual(TACTICS.map((t) => t.shortname), [
      'reconnaissance', 'resource-development', 'initial-access', 'execution', 'persistence', 'privilege-escalation',
      'stealth', 'defense-impairment', 'credential-access', 'discovery', 'lateral-movement', 'collection',
      'command-and-control', 'exfiltration', 'impact',
    ]);
    assert.deepEqual(tacticInfo('stealth'), { shortname: 'stealth', name: 'Stealth', id: 'TA0005', order: 7, phase: 'installation' });
    assert.equal(tacticId('defense-impairment'), 'TA0112');
    assert.equal(tacticDisplayName('command-and-control'), 'Command and Control');
    assert.equal(tacticDisplayName('Command_And_Control'), 'Command and Control');
    assert.equal(tacticDisplayName('nope'), 'nope');
    assert.equal(canonicalTactic('defense-evasion'), 'stealth');
    assert.equal(tacticId('nope'), null);
    for (const t of TACTICS) assert.ok(KILL_CHAIN_PHASES.includes(TACTIC_KILL_CHAIN[t.shortname]), t.shortname);
  });

  it('agrees with the CSV it was generated from', { skip: existsSync(ATTACK_DATA) ? false : `${ATTACK_DATA} is absent` }, () => {
    const rows = readFileSync(join(ATTACK_DATA, 'enterprise-attack.csv'), 'utf8').trim().split('\n').slice(1);
    assert.equal(rows.length, Object.keys(TECHNIQUE_ROWS).length);
    for (const row of rows) {
      const [id, name, tactics, , dep] = row.split(',');
      assert.deepEqual(TECHNIQUE_ROWS[id], [name, tactics, dep === 'true' ? 1 : 0], id);
    }
    const header = readFileSync(new URL('./table.ts', import.meta.url), 'utf8').slice(0, 2000);
    assert.match(header, /© 2025 The MITRE Corporation\. This work is reproduced and distributed with the permission of The MITRE Corporation\./);
    assert.match(header, /hereby grants you a non-exclusive, royalty-free license to use ATT&CK/);
  });

  it('resolves techniques, sub-techniques and v19 additions', () => {
    assert.deepEqual(techniqueInfo('t1059.001'), { id: 'T1059.001', name: 'PowerShell', tactics: ['execution'], deprecated: false, source: 'attack-18.1' });
    assert.deepEqual(techniqueInfo('T1053.005')?.tactics, ['execution', 'persistence', 'privilege-escalation']);
    assert.deepEqual(techniqueInfo('T1027')?.tactics, ['stealth'], 'v18 defense-evasion reads as stealth');
    assert.deepEqual(techniqueInfo('t1685.005'), { id: 'T1685.005', name: 'Clear Windows Event Logs', tactics: ['defense-impairment'], deprecated: false, source: 'attack-19-extra' });
    assert.equal(techniqueInfo('T9999'), null);
    assert.equal(techniqueInfo('T12'), null);
    assert.deepEqual(tacticsOfTechnique('T1003.999'), ['credential-access'], 'unknown sub-technique: its parent');
    assert.deepEqual(tacticsOfTechnique('T9999.001'), []);
  });
});

describe('attackFromTags', () => {
  it('takes explicit tactics, including v19 stealth and defense-impairment, in matrix order', () => {
    assert.deepEqual(attackFromTags(['attack.defense-impairment', 'attack.t1685.001', 'attack.stealth', 'attack.execution']), {
      tactics: ['execution', 'stealth', 'defense-impairment'],
      techniques: ['T1685.001'],
      kill_chain_phase: 'installation',
    });
    assert.deepEqual(attackFromTags(['attack.defense-evasion', 'attack.T1562.001']), {
      tactics: ['stealth'],
      techniques: ['T1562.001'],
      kill_chain_phase: 'installation',
    });
  });

  it('derives tactics from techniques when there is no tactic tag, sub-techniques included', () => {
    assert.deepEqual(attackFromTags(['attack.t1003.001']), { tactics: ['credential-access'], techniques: ['T1003.001'], kill_chain_phase: 'actions-on-objectives' });
    assert.deepEqual(attackFromTags(['attack.t1566.001', 'attack.t1059']), {
      tactics: ['initial-access', 'execution'],
      techniques: ['T1566.001', 'T1059'],
      kill_chain_phase: 'exploitation',
    });
    assert.deepEqual(attackFromTags(['attack.t1686.003']).tactics, ['defense-impairment']);
  });

  it('keeps unknown technique ids, ignores other tags, never throws', () => {
    assert.deepEqual(attackFromTags(['attack.TA0005', 'attack.ta0112']).tactics, ['stealth', 'defense-impairment']);
    const p = parseAttackTags(['attack.t1999.123', 'attack.g0016', 'attack.s0002', 'attack.ds0005', 'attack.foo-bar', 'cve.2021-44228', 'detection.threat-hunting', 'attack.', 'attack.t1059', 'attack.T1059', '', 42 as unknown as string]);
    assert.deepEqual(p.techniques, ['T1999.123', 'T1059']);
    assert.deepEqual(p.unknown_techniques, ['T1999.123']);
    assert.deepEqual(p.unknown_tags, ['attack.foo-bar']);
    assert.deepEqual(p.tactics, ['execution']);
    assert.equal(p.derived, true);
    assert.deepEqual(attackFromTags([]), { tactics: [], techniques: [], kill_chain_phase: null });
    assert.deepEqual(attackFromTags(['attack.t1999']), { tactics: [], techniques: ['T1999'], kill_chain_phase: null });
  });

  it('maps tactics to the latest kill chain phase', () => {
    assert.equal(latestKillChainPhase(['reconnaissance']), 'reconnaissance');
    assert.equal(latestKillChainPhase(['resource-development']), 'weaponization');
    assert.equal(latestKillChainPhase(['initial-access']), 'delivery');
    assert.equal(latestKillChainPhase(['initial-access', 'execution']), 'exploitation');
    assert.equal(latestKillChainPhase(['execution', 'persistence']), 'installation');
    assert.equal(latestKillChainPhase(['privilege-escalation', 'command-and-control']), 'command-and-control');
    assert.equal(latestKillChainPhase(['command-and-control', 'exfiltration']), 'actions-on-objectives');
    assert.equal(latestKillChainPhase(['impact', 'reconnaissance']), 'actions-on-objectives');
    assert.equal(latestKillChainPhase(['nope']), null);
  });

  it('places every SigmaHQ rule tag (v19) without error', { skip: existsSync(SIGMA) ? false : `${SIGMA} is absent` }, () => {
    const unknownTactics = new Set<string>();
    const unknownTechniques = new Set<string>();
    let rules = 0;
    let withTactic = 0;
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.yml')) {
          for (const doc of parseAllDocuments(readFileSync(p, 'utf8'))) {
            const j = doc.toJS() as { tags?: unknown } | null;
            if (!j || !Array.isArray(j.tags)) continue;
            rules++;
            const r = parseAttackTags(j.tags as string[]);
            r.unknown_tags.forEach((t) => unknownTactics.add(t));
            r.unknown_techniques.forEach((t) => unknownTechniques.add(t));
            if (r.tactics.length > 0) {
              withTactic++;
              assert.ok(r.kill_chain_phase !== null, p);
            }
          }
        }
      }
    };
    walk(join(SIGMA, 'rules'));
    assert.ok(rules > 2000);
    assert.deepEqual([...unknownTactics], [], 'every attack.<tactic> tag is known');
    assert.deepEqual([...unknownTechniques], [], 'every technique id is in the v18.1 table or the v19 additions');
    assert.ok(withTactic / rules > 0.9);
  });
});
