import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { asCandorError } from '../core/candor-error.js';
import { defaultDemoCustomersPath, loadDemoCustomers } from './demo-customers.js';
import { startReferenceEngineServer } from './reference-engine-server.js';
import type { ReferenceEngineFaults } from './reference-engine-server.js';

const USAGE = `Usage: npm run engine:demo -- [options]

Serves the demo customers over the decision-engine HTTP contract.

  --port <n>              port (default 8081; 0 picks a free one)
  --host <addr>           address to bind (default 127.0.0.1)
  --data <file>           demo customers file (default fixtures/demo-customers.json)
  --token <t>             require "Authorization: Bearer <t>"
  --cert <file> --key <file> [--client-ca <file>]
                          serve https; with --client-ca require client certificates (mutual TLS)
Fault injection:
  --latency <ms>          delay every response
  --error-status <code>   answer with this status (e.g. 500, 503, 429)
  --retry-after <value>   Retry-After sent with --error-status (seconds or HTTP date)
  --fail-first <n>        fail only the first n lookups (status from --error-status, default 500)
  --malformed             send truncated JSON
  --wrong-customer        send another customer's id
  --schema-mismatch       send decimal-string amounts and an unknown decision kind
  --huge-body <MB>        stream a body of this many megabytes
  --declare-length        with --huge-body, send Content-Length
  --slow-drip [ms]        send the body a byte at a time (default every 200 ms)
  --help
`;

const count = z.coerce.number().int().nonnegative();

/** Parses the command line into server options; exits with usage on a bad flag. */
function parseCommandLine(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      data: { type: 'string' },
      token: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      'client-ca': { type: 'string' },
      latency: { type: 'string' },
      'error-status': { type: 'string' },
      'retry-after': { type: 'string' },
      'fail-first': { type: 'string' },
      malformed: { type: 'boolean' },
      'wrong-customer': { type: 'boolean' },
      'schema-mismatch': { type: 'boolean' },
      'huge-body': { type: 'string' },
      'declare-length': { type: 'boolean' },
      'slow-drip': { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  const faults: ReferenceEngineFaults = {};
  if (values.latency !== undefined) faults.latencyMs = count.parse(values.latency);
  if (values['error-status'] !== undefined) faults.errorStatus = z.coerce.number().int().min(100).max(599).parse(values['error-status']);
  if (values['retry-after'] !== undefined) faults.retryAfter = values['retry-after'];
  if (values['fail-first'] !== undefined) faults.failFirst = count.parse(values['fail-first']);
  if (values.malformed === true) faults.malformedJson = true;
  if (values['wrong-customer'] === true) faults.wrongCustomerId = true;
  if (values['schema-mismatch'] === true) faults.schemaMismatch = true;
  if (values['huge-body'] !== undefined) faults.hugeBodyBytes = Math.round(z.coerce.number().positive().parse(values['huge-body']) * 1024 * 1024);
  if (values['declare-length'] === true) faults.declareHugeLength = true;
  if (values['slow-drip'] !== undefined) faults.slowDripMs = values['slow-drip'] === '' ? 200 : count.parse(values['slow-drip']);
  if ((values.cert === undefined) !== (values.key === undefined)) throw new Error('--cert and --key go together');
  return {
    isHelp: values.help === true,
    port: values.port === undefined ? 8081 : z.coerce.number().int().min(0).max(65535).parse(values.port),
    host: values.host ?? '127.0.0.1',
    data: values.data ?? defaultDemoCustomersPath(),
    token: values.token,
    tls:
      values.cert === undefined || values.key === undefined
        ? undefined
        : {
            cert: readFileSync(values.cert),
            key: readFileSync(values.key),
            ...(values['client-ca'] === undefined ? {} : { ca: readFileSync(values['client-ca']) }),
          },
    faults,
  };
}

/** Starts the reference engine from the command line and stops it on Ctrl-C. */
async function runReferenceEngineCli(argv: string[]): Promise<void> {
  let settings: ReturnType<typeof parseCommandLine>;
  try {
    settings = parseCommandLine(argv);
  } catch (error) {
    process.stderr.write(`${error instanceof z.ZodError ? z.prettifyError(error) : asCandorError(error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (settings.isHelp) {
    process.stdout.write(USAGE);
    return;
  }
  const customers = loadDemoCustomers(settings.data);
  const server = await startReferenceEngineServer({
    customers,
    port: settings.port,
    host: settings.host,
    faults: settings.faults,
    ...(settings.token === undefined ? {} : { token: settings.token }),
    ...(settings.tls === undefined ? {} : { tls: settings.tls }),
  });
  const active = Object.keys(settings.faults);
  process.stdout.write(
    `Reference decision engine listening on ${server.url}\n` +
      `  try: curl ${server.url}/v1/customers/demo-drop/limit-decisions\n` +
      `  customers: ${customers.list().map((customer) => customer.id).join(', ')}\n` +
      `  bearer token: ${settings.token === undefined ? 'not required' : 'required'}\n` +
      `  faults: ${active.length === 0 ? 'none' : active.join(', ')}\n` +
      `  run Candor against it: DECISION_ENGINE_URL=${server.url} npm start\n`,
  );
  const stop = (): void => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

runReferenceEngineCli(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${asCandorError(error).message}\n`);
  process.exitCode = 1;
});
