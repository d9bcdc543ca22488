export * from './channel.ts';
export * from './policy.ts';
export * from './limits.ts';
export * from './message.ts';
export * from './router.ts';
export * from './sender.ts';
