export * from './facades.ts';
export * from './server.ts';
export * from './errors.ts';
