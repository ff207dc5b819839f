export * from './complete';
export * from './envelope';
export * from './events';
export * from './ids';
export * from './money';
export * from './parse';
export * from './routing';
export * from './stable-json';
