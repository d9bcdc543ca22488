/**
 * Exact-match terms for the events_keys FTS5 table. A key is "field=value", lower-cased, with
 * every character the tokenizer would split on replaced by '_', so one value is one token.
 * Replacement can make two values share a key; queries therefore re-check the exact value on
 * the row, and the key only narrows the candidates.
 */
const NON_TOKEN = /[^\p{L}\p{N}=.:\-_@]/gu;

const PLAIN_ASCII_TOKEN = /^[a-z0-9=.:\-_@]*$/;

export const encodeKey = (field: string, value: string): string => {
  const key = `${field}=${value}`.toLowerCase();
  // Most values are plain ASCII: skip the Unicode-aware replacement for them.
  return PLAIN_ASCII_TOKEN.test(key) ? key : key.replace(NON_TOKEN, '_');
};

/** An FTS5 MATCH expression for one exact key, or a prefix of keys. */
export const keyMatch = (field: string, value: string, prefix = false): string =>
  `"${encodeKey(field, value).replace(/"/g, '""')}"${prefix ? ' *' : ''}`;

/** Fields indexed as keys, with the events column that holds their (first) value. */
export const KEYED_FIELDS: Readonly<Record<string, string>> = {
  'host.name': 'host',
  'user.name': 'user_name',
  'source.ip': 'source_ip',
  'destination.ip': 'destination_ip',
  'event.category': 'category',
  'event.action': 'action',
  'event.outcome': 'outcome',
  'input.name': 'input_name',
  'input.type': 'input_type',
};
