import { spawn } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
/** The project's root folder (where package.json is). */
export const projectRoot = join(here, '..', '..');
/** True when the benchmark itself runs as TypeScript (through tsx); compiled `.js` children then need a build first. */
export const isRunningTypeScript = import.meta.url.endsWith('.ts');

/** Where the children's scripts are and how node starts them. */
export interface ChildRuntime {
  scriptsDir: string;
  extension: '.ts' | '.js';
  nodeFlags: string[];
}

/** The scripts next to this file, as they are: TypeScript through tsx, or JavaScript already compiled. */
export function currentRuntime(): ChildRuntime {
  return isRunningTypeScript ? { scriptsDir: here, extension: '.ts', nodeFlags: ['--import', 'tsx'] } : { scriptsDir: here, extension: '.js', nodeFlags: [] };
}

/** The path of one of the benchmark's scripts in a runtime. */
export function script(runtime: ChildRuntime, name: string): string {
  return join(runtime.scriptsDir, `${name}${runtime.extension}`);
}

/**
 * Compiles src/ to JavaScript in the work folder (the same code; TypeScript 7 takes a few seconds), so the
 * servers start as a deployed Candor would, with plain node and no loader. What the code finds next to
 * itself (package.json for ESM, node_modules, the demo fixtures, the widget's static files) is linked in.
 */
export async function buildCompiledRuntime(workDir: string): Promise<ChildRuntime> {
  const outDir = join(workDir, 'build');
  const config = join(workDir, 'tsconfig.bench.json');
  writeFileSync(
    config,
    JSON.stringify({
      extends: join(projectRoot, 'tsconfig.json'),
      compilerOptions: {
        noEmit: false,
        outDir,
        rootDir: projectRoot,
        // Type packages are looked up beside the config file, which here is in the work folder.
        typeRoots: [join(projectRoot, 'node_modules', '@types')],
        declaration: false,
        sourceMap: false,
        incremental: false,
      },
      include: [join(projectRoot, 'src')],
    }),
  );
  // typescript's exports do not list bin/tsc; its package folder is found through package.json.
  const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
  const compiler = spawn(process.execPath, [tsc, '-p', config], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  compiler.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  compiler.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => compiler.once('exit', resolve));
  if (code !== 0) throw new Error(`compiling src/ for the benchmark failed (tsc exit ${code})\n${output.slice(-2000)}`);
  for (const entry of ['package.json', 'node_modules', 'fixtures']) symlinkSync(join(projectRoot, entry), join(outDir, entry));
  symlinkSync(join(projectRoot, 'src', 'channels', 'web', 'public'), join(outDir, 'src', 'channels', 'web', 'public'));
  return { scriptsDir: join(outDir, 'src', 'bench'), extension: '.js', nodeFlags: [] };
}
