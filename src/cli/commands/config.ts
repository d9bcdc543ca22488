import { existsSync, readFileSync } from 'node:fs';
import { checkConfig, parseConfigText, resolveConfig, type ConfigProblem, type TriageConfig } from '../../config/index.ts';
import { VigilError } from '../../core/index.ts';
import { validateTriageConfig } from '../../triage/index.ts';
import { validatePolicy } from '../../changes/index.ts';

/** `vigil config check [FILE]`: every problem with its path; exit 1 when there is one. */
export function configCheck(file: string | undefined, json: boolean): number {
  const path = file ?? process.env.VIGIL_CONFIG ?? 'vigil.yaml';
  let problems: ConfigProblem[];
  if (!existsSync(path)) {
    if (file) problems = [{ path: '', message: `cannot read ${path}: no such file` }];
    else problems = checkConfig({}); // no file: the defaults, which are valid
  } else {
    const parsed = parseConfigText(readFileSync(path, 'utf8'));
    problems = parsed.problems;
    // Beyond the schema: matchers, regexes and the route tree must compile as `vigil serve` builds them.
    if (problems.length === 0) {
      try {
        const config = resolveConfig(parsed.raw);
        validateTriageConfig(config.triage as TriageConfig);
        config.changes.policies.forEach((policy, i) => validatePolicy(policy, `changes.policies[${i}]`));
      } catch (error) {
        if (!(error instanceof VigilError)) throw error;
        const message = error.message.startsWith(`${error.field}: `) ? error.message.slice(error.field!.length + 2) : error.message;
        problems = [{ path: error.field ?? 'triage', message }];
      }
    }
  }
  if (json) process.stdout.write(`${JSON.stringify({ file: path, valid: problems.length === 0, errors: problems })}\n`);
  else if (problems.length === 0) process.stdout.write(`${path}: OK\n`);
  else for (const p of problems) process.stdout.write(`${path}: ${p.path || '(root)'}: ${p.message}\n`);
  return problems.length === 0 ? 0 : 1;
}
