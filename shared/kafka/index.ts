export * from './config';
export * from './errors';
export * from './iam';
export * from './msk';
export * from './publisher';
