/** Checks for values parsed from JSON or YAML, before they are read as a shape. */

/** An object with string keys: not null, not an array. */
export const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The string itself when it has more than white space, else null. */
export const nonBlank = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value : null);
