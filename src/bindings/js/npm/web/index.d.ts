// The browser build's declarations for resolvers that ignore package.json's "exports"
// (TypeScript's node10 resolution of `dynamodb-scan-detector/web`): index.d.mts's.
export * from "../index.mjs";
export { default } from "../index.mjs";
