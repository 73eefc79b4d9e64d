// Jest (before Node 24.9) cannot require() an ES module. @fastify/static, which serves
// Swagger UI's assets, requires content-disposition 3, which is ESM-only; under Jest it
// gets this CommonJS stand-in built on content-disposition 1 (same header format).
// Production does not use this file: Node 20.19+ requires ES modules natively.
const contentDisposition = require('content-disposition-cjs');

module.exports = {
  create: (filename, options) => contentDisposition(filename, options),
  parse: contentDisposition.parse,
};
