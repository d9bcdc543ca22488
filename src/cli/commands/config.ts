import { existsSync, readFileSync } from 'node:fs';
import { checkConfig, parseConfigText, type ConfigProblem } from '../../config/index.ts';

/** `vigil config check [FILE]`: every problem with its path; exit 1 when there is one. */
export function configCheck(file: string | undefined, json: boolean): number {
  const path = file ?? process.env.VIGIL_CONFIG ?? 'vigil.yaml';
  let problems: ConfigProblem[];
  if (!existsSync(path)) {
    if (file) problems = [{ path: '', message: `cannot read ${path}: no such file` }];
    else problems = checkConfig({}); // no file: the defaults, which are valid
  } else {
    problems = parseConfigText(readFileSync(path, 'utf8')).problems;
  }
  if (json) process.stdout.write(`${JSON.stringify({ file: path, valid: problems.length === 0, errors: problems })}\n`);
  else if (problems.length === 0) process.stdout.write(`${path}: OK\n`);
  else for (const p of problems) process.stdout.write(`${path}: ${p.path || '(root)'}: ${p.message}\n`);
  return problems.length === 0 ? 0 : 1;
}
