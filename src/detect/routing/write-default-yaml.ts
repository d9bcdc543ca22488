/**
 * Writes default-logsources.yaml from DEFAULT_ROUTING (run by hand after changing default.ts):
 *   node --import tsx src/detect/routing/write-default-yaml.ts
 * A test checks that the file and the constant agree.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultRoutingYaml } from './default-yaml.ts';

const file = fileURLToPath(new URL('./default-logsources.yaml', import.meta.url));
writeFileSync(file, defaultRoutingYaml());
console.log(`wrote ${file}`);
