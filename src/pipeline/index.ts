export * from './committed-feed.ts';
