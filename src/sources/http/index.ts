export * from './body.ts';
export * from './json-error.ts';
