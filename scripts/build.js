'use strict';
/**
 * Builds the bundles the commands run (`.build/main.cjs`, `.build/bench.cjs`) with esbuild, only when
 * their inputs changed, and runs them.
 *
 *   node scripts/build.js [bundle...]                   build every (or each named) bundle that is not fresh
 *   node scripts/build.js --run <bundle> [args...]      make <bundle> fresh, then run it in this process
 *   node scripts/build.js --run-uncached <bundle> ...   the same without the V8 code cache
 *
 * Freshness is a content hash, never a modification time: each bundle's first line records the
 * SHA-256 of everything it is built from (every file under its source folders, both lockfiles, which
 * pin every bundled package, tsconfig.json, this script with its esbuild options, the esbuild and
 * Node versions). A bundle whose first line does not name the current hash is rebuilt. A bundle is
 * written to a temporary file and renamed into place only when esbuild succeeded and the inputs
 * hashed the same before and after the build, so a failed or raced build never leaves a bundle that
 * looks fresh. Every file esbuild read must be one of the hashed inputs, or the build fails.
 *
 * Beside each bundle is its source map (`<bundle>.map`, without the sources' text), written before the
 * bundle. Node's `--enable-source-maps` does not reach a bundle run by `--run` (Node reads maps only for
 * code its own loaders compile), so the CLI maps the stack of an internal error itself
 * (app/source-mapped-stack.ts); `node --enable-source-maps .build/main.cjs` maps through it as well.
 *
 * `--run` loads the bundle in this process (one Node process per command, not npm plus node) with a
 * V8 code cache beside it (`<bundle>.<source>-<runtime>.v8cache`): the bundle's code as V8 compiled
 * it in an earlier run, which spares parsing and compiling it again. Its name holds a hash of the exact
 * source that is compiled and a hash of the runtime: the Node and V8 versions, V8's own cache tag (its
 * flags and the CPU's features), the Node flags and NODE_OPTIONS. Anything else is another name, so a
 * stale cache is never read; V8 checks a cache again and rejects one that does not fit. A missing or
 * rejected cache is written when the command exits (to a temporary file, then renamed), and the caches
 * of earlier sources of the bundle are removed.
 *
 * Plain CommonJS with no dependencies (esbuild is loaded only to build), so that running a fresh
 * bundle costs one pass of hashing, not a module load.
 */
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const { basename, dirname, join, sep } = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');

const ROOT = join(__dirname, '..');

/** Folders and files every bundle is built from; a bundle may add its own (bench/). */
const SOURCES = ['main.ts', 'app', 'lib', 'validation', 'charts', 'environments', 'imports'];
/**
 * Files that change what is built without being imported: the lockfiles (the wanted and the installed
 * package tree, which fix every bundled package's files), compiler settings, this script.
 */
const SETTINGS = ['package.json', 'package-lock.json', 'node_modules/.package-lock.json', 'tsconfig.json', 'scripts/build.js'];

/**
 * cdk8s-plus-28 is imported only for its generated Kubernetes bindings (`k8s`); the package's entry
 * point loads every construct of the library too. This module is the same `k8s` namespace from the
 * bindings alone.
 */
const K8S_ONLY = 'export * as k8s from "cdk8s-plus-28/lib/imports/k8s.js";';

/**
 * Every package is bundled (one file to read and one script for the code cache, instead of hundreds
 * of modules resolved and compiled one by one); Node's own modules stay external.
 */
const ESBUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  logLevel: 'warning',
  // A key written twice in an object literal (a service defined twice in an environment file) would
  // silently keep the second definition: refuse to build instead.
  logOverride: { 'duplicate-object-key': 'error' },
  minifyWhitespace: true,
  // Internal errors show their stack at the TypeScript source (app/source-mapped-stack.ts). The sources'
  // text stays out: the map is read only for its positions.
  sourcemap: 'linked',
  sourcesContent: false,
  metafile: true,
  write: false,
};

const BUNDLES = {
  main: { entry: 'main.ts', outfile: '.build/main.cjs', sources: SOURCES },
  bench: { entry: 'bench/index.ts', outfile: '.build/bench.cjs', sources: [...SOURCES, 'bench'] },
};

const HEADER = '// build-inputs sha256:';

function listFiles(path) {
  let entries;
  try {
    entries = fs.readdirSync(join(ROOT, path), { withFileTypes: true });
  } catch (error) {
    if (error.code === 'ENOTDIR') return [path];
    if (error.code === 'ENOENT') return [];
    throw error;
  }
  return entries.flatMap((entry) => (entry.isDirectory() ? listFiles(`${path}/${entry.name}`) : [`${path}/${entry.name}`]));
}

function esbuildVersion() {
  try {
    return JSON.parse(fs.readFileSync(join(ROOT, 'node_modules/esbuild/package.json'), 'utf8')).version;
  } catch {
    return 'missing';
  }
}

/**
 * The hash of everything a bundle is built from. Each file's name and length precede its bytes, so
 * that no two different sets of files hash alike; a missing file hashes as missing.
 */
function inputsHash(bundle) {
  const hash = createHash('sha256');
  hash.update(
    JSON.stringify({ node: process.version, arch: process.arch, esbuild: esbuildVersion(), options: ESBUILD_OPTIONS, K8S_ONLY, bundle }),
  );
  const files = [...SETTINGS, ...bundle.sources.flatMap(listFiles)].sort();
  for (const file of files) {
    let bytes;
    try {
      bytes = fs.readFileSync(join(ROOT, file));
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
    }
    hash.update(`\0${file}\0${bytes === undefined ? 'missing' : bytes.length}\0`);
    if (bytes !== undefined) hash.update(bytes);
  }
  return hash.digest('hex');
}

/** The inputs hash named on the first line of a bundle, or undefined. Reads only that line. */
function builtFrom(outfile) {
  let fd;
  try {
    fd = fs.openSync(outfile, 'r');
  } catch {
    return undefined;
  }
  try {
    const buffer = Buffer.alloc(HEADER.length + 65);
    const line = buffer.toString('utf8', 0, fs.readSync(fd, buffer, 0, buffer.length, 0));
    return line.startsWith(HEADER) && line[HEADER.length + 64] === '\n' ? line.slice(HEADER.length, HEADER.length + 64) : undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/** The files esbuild read that are not hashed inputs (there must be none). */
function unhashedInputs(metafile, bundle) {
  const hashed = (file) =>
    [...bundle.sources, ...SETTINGS].some((source) => file === source || file.startsWith(`${source}/`)) ||
    // Installed packages: pinned by the lockfiles.
    `/${file}`.includes('/node_modules/') ||
    file.startsWith('k8s-only:');
  return Object.keys(metafile.inputs).filter((file) => !hashed(file.split(sep).join('/')));
}

function runEsbuild(bundle) {
  const esbuild = require('esbuild');
  const k8sOnly = {
    name: 'k8s-only',
    setup(build) {
      build.onResolve({ filter: /^cdk8s-plus-28$/ }, () => ({ path: 'cdk8s-plus-28', namespace: 'k8s-only' }));
      build.onLoad({ filter: /.*/, namespace: 'k8s-only' }, () => ({ contents: K8S_ONLY, resolveDir: ROOT, loader: 'js' }));
    },
  };
  return esbuild.build({
    ...ESBUILD_OPTIONS,
    absWorkingDir: ROOT,
    entryPoints: [bundle.entry],
    outfile: bundle.outfile,
    plugins: [k8sOnly],
  });
}

/** Writes `data` to `file` by a rename, so that no reader ever sees part of it. */
function writeAtomically(file, data) {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.mkdirSync(dirname(file), { recursive: true });
  try {
    fs.writeFileSync(temporary, data);
    fs.renameSync(temporary, file);
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

/** Builds bundle `name` unless it is fresh. Resolves to the bundle's absolute path. */
async function ensureBundle(name) {
  const bundle = BUNDLES[name];
  if (bundle === undefined) throw new Error(`unknown bundle ${name}: one of ${Object.keys(BUNDLES).join(', ')}`);
  const outfile = join(ROOT, bundle.outfile);
  for (let attempt = 0; attempt < 3; attempt++) {
    const before = inputsHash(bundle);
    if (builtFrom(outfile) === before) return outfile;
    const result = await runEsbuild(bundle);
    const unhashed = unhashedInputs(result.metafile, bundle);
    if (unhashed.length > 0) {
      throw new Error(`scripts/build.js: ${bundle.entry} is built from files outside its hashed inputs: ${unhashed.join(', ')}`);
    }
    // Sources edited during the build: build again rather than label this bundle with either hash.
    if (inputsHash(bundle) !== before) continue;
    const output = result.outputFiles.find((file) => file.path === outfile);
    const map = result.outputFiles.find((file) => file.path === `${outfile}.map`);
    if (output === undefined || map === undefined) throw new Error(`esbuild wrote no ${bundle.outfile} or no source map`);
    // The map first, so that a fresh bundle never sits beside an older map. Its mappings start one
    // line down (an empty first line) for the header line the bundle is given.
    const payload = JSON.parse(map.text);
    writeAtomically(`${outfile}.map`, JSON.stringify({ ...payload, mappings: `;${payload.mappings}` }));
    writeAtomically(outfile, `${HEADER}${before}\n${output.text}`);
    return outfile;
  }
  throw new Error('scripts/build.js: the sources kept changing during the build; run it again');
}

/** What a code cache depends on besides the source: the runtime, its flags and the CPU. */
function runtimeKey() {
  return JSON.stringify({
    node: process.version,
    v8: process.versions.v8,
    tag: v8.cachedDataVersionTag(),
    arch: process.arch,
    platform: process.platform,
    execArgv: process.execArgv,
    nodeOptions: process.env.NODE_OPTIONS ?? '',
  });
}

/** The wrapper Node gives every CommonJS module, around the bundle's text. */
const WRAPPER = ['(function (exports, require, module, __filename, __dirname) { ', '\n});'];

/**
 * The V8 code cache of `outfile` for this exact source and runtime: `<bundle>.<source>-<runtime>.v8cache`,
 * each part a hash (the source's of the wrapped bundle's bytes). Caches of other sources are stale and
 * removed; caches of other runtimes (another Node, other flags) are kept for when those run again.
 */
function codeCacheFile(outfile, bytes) {
  const sourceHash = createHash('sha256').update(WRAPPER[0]).update(bytes).update(WRAPPER[1]).digest('hex').slice(0, 32);
  const runtimeHash = createHash('sha256').update(runtimeKey()).digest('hex').slice(0, 32);
  return { file: `${outfile}.${sourceHash}-${runtimeHash}.v8cache`, sourcePrefix: `${basename(outfile)}.${sourceHash}-` };
}

/** Writes the cache of `script`, and removes the caches of the bundle's other sources. Never fails the command. */
function saveCodeCache(script, outfile, cache) {
  try {
    writeAtomically(cache.file, script.createCachedData());
    const prefix = `${basename(outfile)}.`;
    for (const name of fs.readdirSync(dirname(outfile))) {
      if (name.startsWith(prefix) && name.endsWith('.v8cache') && !name.startsWith(cache.sourcePrefix)) {
        fs.rmSync(join(dirname(outfile), name), { force: true });
      }
    }
  } catch {
    // A cache that cannot be written is only a slower next start.
  }
}

/**
 * Runs the bundle at `outfile` in this process as `node <outfile> args...` would, compiled from its
 * V8 code cache when there is a valid one (see the module comment).
 */
function runBundle(outfile, args, { codeCache }) {
  const bytes = fs.readFileSync(outfile);
  const source = `${WRAPPER[0]}${bytes.toString('utf8')}${WRAPPER[1]}`;
  const cache = codeCache ? codeCacheFile(outfile, bytes) : undefined;
  let cachedData;
  if (cache !== undefined) {
    try {
      cachedData = fs.readFileSync(cache.file);
    } catch {
      cachedData = undefined;
    }
  }
  const script = new vm.Script(source, {
    filename: outfile,
    cachedData,
    // import() as in any module of the main context (the bundle has none today).
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (cache !== undefined && (cachedData === undefined || script.cachedDataRejected)) {
    // At exit, so that the cache holds every function the command compiled, not only the top level.
    process.once('exit', () => saveCodeCache(script, outfile, cache));
  }
  const module = new Module(outfile, require.main);
  module.filename = outfile;
  module.paths = Module._nodeModulePaths(dirname(outfile));
  Module._cache[outfile] = module;
  process.argv = [process.argv[0], outfile, ...args];
  script.runInThisContext().call(module.exports, module.exports, Module.createRequire(outfile), module, outfile, dirname(outfile));
  module.loaded = true;
}

module.exports = { BUNDLES, ensureBundle, inputsHash, builtFrom, codeCacheFile };

if (require.main === module) {
  const [flag, name, ...args] = process.argv.slice(2);
  const run = flag === '--run' || flag === '--run-uncached';
  const buildFailed = (error) => {
    // esbuild has printed its own errors (logLevel); anything else is printed here.
    if (!Array.isArray(error?.errors)) console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  };
  if (run) {
    // An exception from the bundle itself is not caught here: Node reports it with its stack.
    ensureBundle(name).then((outfile) => runBundle(outfile, args, { codeCache: flag === '--run' }), buildFailed);
  } else {
    const names = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(BUNDLES);
    Promise.all(names.map((bundle) => ensureBundle(bundle))).then(() => undefined, buildFailed);
  }
}
