export * from './input.ts';
export * from './lifecycle.ts';
export * from './conflicts.ts';
export * from './policy.ts';
export * from './ics.ts';
export * from './verdict.ts';
export * from './observed-input.ts';
export * from './github.ts';
