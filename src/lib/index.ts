export * from './ids.ts';
export * from './logger.ts';
export * from './hash.ts';
export * from './backoff.ts';
export * from './net.ts';
export * from './csv.ts';
export * from './path.ts';
export * from './duration.ts';
