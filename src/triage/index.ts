export * from './engine.ts';
export * from './score.ts';
export * from './inventory-index.ts';
export * from './matchers.ts';
export * from './routes.ts';
export * from './silences.ts';
export * from './inhibit.ts';
export * from './intake/index.ts';
