/**
 * Module boundaries of Flowline (docs/architecture.md): every room of src/ names the rooms it may
 * import (an allow-list), the npm packages it may use where that matters, and no import cycles.
 * `npm run check:deps` runs this; test/architecture/rooms.test.ts checks that every folder of src/
 * is a room here and in the docs, and what depcruise cannot see (process I/O through globals).
 */

/** Leaves any room may use: typed errors and the duration formatter (both pure, no imports of rooms). */
const LEAVES = ['errors.ts', 'format-duration.ts'];

/**
 * room (a folder ending in `/`, or a file) → what it is, the rooms it may import besides itself
 * and the leaves, and the npm packages and Node built-ins it may use (absent: not limited here;
 * the package rules below still apply).
 */
const ROOMS = [
  {
    room: 'definition/',
    purpose: 'text → validated, normalised, frozen WorkflowDefinition; walkers over raw and normalised steps',
    may: ['expression/'],
    packages: ['ajv', 'ajv-formats', 'yaml'],
    node: ['crypto', 'fs', 'fs/promises'],
  },
  { room: 'expression/', purpose: 'templates and bounded JSONata evaluation (pure)', may: [], packages: ['jsonata', 're2js'], node: [] },
  {
    room: 'interpreter/',
    purpose: 'THE CORE: decide(definition, state, event) → { state, commands, history }; no I/O, no clock',
    may: ['definition/', 'expression/'],
    packages: [],
    node: ['crypto'],
  },
  {
    room: 'activities/',
    purpose: 'handler context, typed activity errors, execution with AbortSignal and timeouts, loading activity modules',
    may: [],
    packages: ['tsx'],
    node: ['fs/promises', 'path', 'url'],
  },
  { room: 'codec/', purpose: 'payload codecs: identity and AES-256-GCM with key ids (encryption at rest)', may: [], packages: [], node: ['crypto'] },
  { room: 'graph/', purpose: 'a definition drawn as a Mermaid graph (pure)', may: ['definition/'], packages: [], node: [] },
  {
    room: 'observability/',
    purpose: 'pino logger, Prometheus metrics, OpenTelemetry spans, redaction, run observer, /metrics and health server',
    may: ['definition/types.ts', 'interpreter/types.ts', 'codec/', 'version.ts'],
    packages: ['pino', 'prom-client', '@opentelemetry/api'],
  },
  {
    room: 'runtime/engine.ts',
    purpose: 'the Engine port: deploy, start, signal, query, describe, history, result, cancel, terminate, retry, list',
    may: ['definition/types.ts', 'interpreter/types.ts'],
    packages: [],
    node: [],
  },
  {
    room: 'runtime/common/',
    purpose: 'the run driver both runtimes share: engine operations, event time, batch decisions, per-run order, child notices, activity answers, checks and views',
    may: ['runtime/engine.ts', 'interpreter/', 'definition/', 'expression/', 'activities/'],
    packages: [],
    node: ['crypto'],
  },
  {
    room: 'runtime/core/',
    purpose: 'the run driver over two ports (RunStore, CommandSink): per-run order and batching, event time, commit with retry on a conflict, the engine operations, activity answers and child runs',
    may: ['runtime/engine.ts', 'runtime/common/', 'interpreter/', 'definition/', 'observability/run-observer.ts'],
    packages: [],
    node: [],
  },
  {
    room: 'runtime/memory/',
    purpose: 'the embedded runtime: in-process, injected clock, optional time skipping',
    may: ['runtime/engine.ts', 'runtime/core/', 'runtime/common/', 'interpreter/', 'definition/', 'expression/', 'activities/', 'observability/'],
    packages: ['pino'],
  },
  {
    room: 'runtime/redis/',
    purpose: 'the durable runtime: state and history in Redis (Lua), work and timers on BullMQ; queue probe for metrics and the dashboard',
    may: ['runtime/engine.ts', 'runtime/core/', 'runtime/common/', 'interpreter/', 'definition/', 'expression/', 'activities/', 'observability/', 'codec/'],
    packages: ['ioredis', 'bullmq', 'pino'],
  },
  {
    room: 'dashboard/',
    purpose: "bull-board UI of a deployment's queues, mounted on any bull-board server adapter",
    may: ['runtime/redis/queue-probe.ts'],
    packages: ['@bull-board/api'],
    node: [],
  },
  {
    room: 'flowtest/',
    purpose: 'flow tests (*.test.yaml): parse, mock activities, run on the embedded runtime, report (text, JUnit); try runs of the studio (try-run.ts)',
    may: ['definition/', 'interpreter/', 'activities/', 'runtime/engine.ts', 'runtime/memory/'],
    packages: ['ajv', 'yaml'],
  },
  {
    room: 'server/',
    purpose: 'the HTTP API (fastify) over the Engine port, and the built studio it serves; never a concrete runtime — cli/serve-command.ts wires those',
    may: ['definition/', 'expression/', 'graph/', 'interpreter/types.ts', 'runtime/engine.ts', 'observability/', 'codec/', 'version.ts'],
  },
  {
    room: 'cli/',
    purpose: 'flowline <verb>: one file per verb (cli/redis/ for the Redis verbs); wires runtimes, server and dashboard',
    may: ['definition/', 'expression/', 'interpreter/', 'activities/', 'codec/', 'graph/', 'observability/', 'runtime/', 'dashboard/', 'flowtest/', 'server/', 'version.ts'],
  },
  { room: 'version.ts', purpose: "the package's version, read from package.json", may: [], packages: [], node: ['fs', 'path', 'url'] },
  { room: 'errors.ts', purpose: 'every typed error (FlowlineError and its classes)', may: [], packages: [], node: [] },
  { room: 'format-duration.ts', purpose: 'durations printed as authors write them (2.5s)', may: [], packages: [], node: [] },
  {
    room: '(index|redis|observability|dashboard)[.]ts',
    label: 'entry points: index.ts, redis.ts, observability.ts, dashboard.ts',
    purpose: 'the package entry points (flowline, flowline/redis, flowline/observability, flowline/dashboard): re-exports only',
    may: ['definition/', 'expression/', 'interpreter/', 'activities/', 'codec/', 'graph/', 'observability/', 'runtime/', 'dashboard/', 'flowtest/', 'server/', 'version.ts'],
  },
];

const escape = (text) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
/** A room name as a path regex under src/; entries are already regexes. */
const roomPath = (room) => (room.includes('(') ? `^src/${room}$` : room.endsWith('/') ? `^src/${escape(room)}` : `^src/${escape(room)}$`);
const anyOf = (paths) => paths.map((path) => `(?:${path})`).join('|');

const roomRules = ROOMS.flatMap(({ room, label, purpose, may, packages, node }) => {
  const from = { path: roomPath(room) };
  const name = (label ?? room).replace(/[^a-z0-9/.-]+/gi, '-');
  const rules = [
    {
      name: `room ${name} imports only its neighbours`,
      comment: `${purpose}. May import: ${[...may, ...LEAVES].join(', ') || 'nothing'}.`,
      severity: 'error',
      from,
      to: { path: '^src/', pathNot: anyOf([roomPath(room), ...[...may, ...LEAVES].map(roomPath)]) },
    },
  ];
  if (packages) {
    rules.push({
      name: `room ${name} uses only its packages`,
      comment: `${label ?? room} may use ${packages.join(', ') || 'no npm package'}.`,
      severity: 'error',
      from,
      to: { path: 'node_modules/', ...(packages.length > 0 ? { pathNot: `node_modules/(?:${packages.map(escape).join('|')})/` } : {}) },
    });
  }
  if (node) {
    rules.push({
      name: `room ${name} uses only its Node built-ins`,
      comment: `${label ?? room} may use ${node.join(', ') || 'no Node built-in'}.`,
      severity: 'error',
      from,
      to: { dependencyTypes: ['core'], ...(node.length > 0 ? { pathNot: `^(?:node:)?(?:${node.map(escape).join('|')})$` } : {}) },
    });
  }
  return rules;
});

module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'every module is in a room',
      comment: 'A new folder or top-level file of src/ needs a row in ROOMS (and in docs/architecture.md).',
      severity: 'error',
      from: { path: '^src/', pathNot: anyOf(ROOMS.map(({ room }) => roomPath(room))) },
      to: {},
    },
    ...roomRules,
    {
      name: 'only the Redis adapter imports ioredis and bullmq',
      severity: 'error',
      from: { pathNot: '^src/runtime/redis/' },
      to: { path: 'node_modules/(?:ioredis|bullmq)/' },
    },
    {
      name: 'only the dashboard and the CLI import bull-board and express',
      severity: 'error',
      from: { pathNot: '^src/(?:dashboard|cli)/' },
      to: { path: 'node_modules/(?:@bull-board/[^/]+|express)/' },
    },
    {
      name: 'only the server and the CLI import fastify',
      severity: 'error',
      from: { pathNot: '^src/(?:server|cli)/' },
      to: { path: 'node_modules/(?:fastify|@fastify/[^/]+)/' },
    },
    {
      name: 'only the CLI imports commander',
      severity: 'error',
      from: { pathNot: '^src/cli/' },
      to: { path: 'node_modules/commander/' },
    },
    {
      name: 'only the CLI and the server touch the terminal and other processes',
      comment: 'Process I/O through globals (process.stdout, process.exit, argv) is invisible here: test/architecture/rooms.test.ts greps for it.',
      severity: 'error',
      from: { pathNot: '^src/(?:cli|server)/' },
      to: { dependencyTypes: ['core'], path: '^(?:node:)?(?:readline|readline/promises|tty|child_process|repl)$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};

// Not a depcruise option (it validates only the keys above): read by test/architecture/rooms.test.ts.
Object.defineProperty(module.exports, 'rooms', { value: ROOMS, enumerable: false });
