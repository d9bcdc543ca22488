/** DEFAULT_ROUTING as the YAML text of default-logsources.yaml (see write-default-yaml.ts). */
import { Document, isMap, isSeq, visit } from 'yaml';
import { DEFAULT_ROUTING } from './default.ts';

const HEADER = `Vigil's default logsource routing and field mapping (generated from src/detect/routing/default.ts
by write-default-yaml.ts; edit that file, not this one). Copy what you need into your own routing
file: entries with the same id replace these, others are added.

fieldsets: Sigma field name -> event path(s); a name the map lacks reads <prefix><name> for each
  prefix, then original.<name> (the record as received), then <name> as a dotted event path.
logsources: product / category / service as in Sigma (pySigma matching: the fields an entry sets
  must equal the rule's). An event belongs to the logsource when any "when" branch holds; a branch
  holds when all its conditions do. Condition values compare as strings, case-insensitively; a list
  is any of them; { exists: bool }, { not: value(s) } and { startswith: prefix(es) } also work.
  "rename" maps a Sigma field to the field name it reads in that branch's events.`;

export function defaultRoutingYaml(): string {
  const doc = new Document(DEFAULT_ROUTING, { aliasDuplicateObjects: false });
  doc.commentBefore = HEADER.split('\n').map((l) => ` ${l}`).join('\n');
  // Conditions, renames and short lists on one line each: easier to read as a table.
  visit(doc, {
    Pair(_, pair) {
      const key = (pair.key as { value?: unknown } | null)?.value;
      if ((key === 'conditions' || key === 'rename') && isMap(pair.value)) pair.value.flow = true;
      if (key === 'prefixes' && isSeq(pair.value)) pair.value.flow = true;
    },
    Seq(_, seq) {
      if (seq.items.every((i) => !isMap(i) && !isSeq(i))) seq.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: true });
}
