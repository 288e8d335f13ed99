/** Module boundaries of Flowline (see docs/architecture.md): one-way dependencies and no cycles. */
module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'definition-is-the-base',
      comment: 'definition/ turns text into definitions; it knows nothing of the interpreter, runtimes or CLI.',
      severity: 'error',
      from: { path: '^src/definition/' },
      to: { path: '^src/(interpreter|runtime|cli|activities)/' },
    },
    {
      name: 'expression-is-pure',
      severity: 'error',
      from: { path: '^src/expression/' },
      to: { path: '^src/(interpreter|runtime|cli|activities)/' },
    },
    {
      name: 'interpreter-is-pure',
      comment: 'The core has no I/O: it may use definitions and expressions, never runtimes, activities, the CLI, Node I/O or Redis.',
      severity: 'error',
      from: { path: '^src/interpreter/' },
      to: {
        path: '^src/(runtime|cli|activities)/|^(node:)?(fs|net|http|https|child_process|worker_threads|os|dgram|dns|tls)$|ioredis|bullmq|pino',
      },
    },
    {
      name: 'activities-know-no-interpreter',
      severity: 'error',
      from: { path: '^src/activities/' },
      to: { path: '^src/(interpreter|runtime|cli|definition)/' },
    },
    {
      name: 'runtime-below-cli',
      severity: 'error',
      from: { path: '^src/runtime/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'server-over-the-engine-port',
      comment: 'src/server/ serves the Engine port: it may use definition/, errors, observability and runtime/engine.ts types, never a concrete runtime (cli/serve.ts wires those) nor the CLI.',
      severity: 'error',
      from: { path: '^src/server/' },
      to: { path: '^src/(cli|activities|flowtest)/|^src/interpreter/(?!types[.]ts$)|^src/runtime/(?!engine[.]ts$)' },
    },
    {
      name: 'only-redis-runtime-imports-redis',
      severity: 'error',
      from: { pathNot: '^src/runtime/redis/' },
      to: { path: 'node_modules/(ioredis|bullmq)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
