/**
 * Stack traces of the bundle (`.build/main.cjs`) at the TypeScript source. Node's own source-map
 * support (`--enable-source-maps`) never sees the bundle's code: scripts/build.js compiles it with
 * `vm.Script` to use a V8 code cache, and Node reads source maps only for modules its loaders
 * compile. So each frame is mapped here, through the map esbuild writes beside the bundle.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { dirname, resolve } from 'node:path';

/** `    at name (file:line:column)` or `    at file:line:column`. */
const FRAME = /^(\s+at (?:.* \()?)(.+):(\d+):(\d+)(\)?)$/;

/**
 * The error's stack, each frame in a file with a source map beside it (`<file>.map`) shown at its
 * source file, line and column. Frames elsewhere (Node's own, code run from source) are kept as they are.
 */
export function sourceMappedStack(error: Error): string {
  const maps = new Map<string, SourceMap | undefined>();
  const mapOf = (file: string): SourceMap | undefined => {
    if (!maps.has(file)) {
      const path = `${file}.map`;
      maps.set(file, existsSync(path) ? new SourceMap(JSON.parse(readFileSync(path, 'utf8')) as SourceMapPayload) : undefined);
    }
    return maps.get(file);
  };
  const stack = error.stack ?? `${error.name}: ${error.message}`;
  return stack
    .split('\n')
    .map((line) => {
      const frame = FRAME.exec(line);
      if (frame === null) return line;
      const [, before, file, row, column, after] = frame as unknown as [string, string, string, string, string, string];
      const origin = mapOf(file)?.findOrigin(Number(row), Number(column));
      if (origin === undefined || !('fileName' in origin)) return line;
      return `${before}${resolve(dirname(file), origin.fileName)}:${origin.lineNumber}:${origin.columnNumber}${after}`;
    })
    .join('\n');
}
