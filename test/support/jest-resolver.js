// Jest's resolver, with one fallback: a relative import of `./x.js` that finds no such file
// loads `./x.ts`. The typed client (packages/api-client) names its relative imports by the .js
// file they compile to, as NodeNext resolution requires, while its sources are .ts (the SPA's
// Vite and TypeScript map them the same way). Anything that resolved before resolves the same.
module.exports = (request, options) => {
  try {
    return options.defaultResolver(request, options);
  } catch (error) {
    if (!/^\.{1,2}\/.*\.js$/.test(request)) throw error;
    return options.defaultResolver(`${request.slice(0, -3)}.ts`, options);
  }
};
