// The `rules` entry's declarations for resolvers that ignore package.json's "exports"
// (TypeScript's node10 resolution of `dynamodb-scan-detector/rules`): the package's own,
// as `require` gets them.
export * from "../index";
