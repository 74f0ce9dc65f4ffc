import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = join(ROOT, 'src');

type Layer = 'model' | 'state' | 'engine' | 'bench' | 'views' | 'ui' | 'app';

// Imports point down only (DESIGN.md): what each layer may import besides itself.
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  model: [],
  state: ['model'],
  engine: ['model'],
  bench: ['model', 'engine'],
  views: ['model', 'state', 'engine'],
  ui: ['model', 'state', 'engine', 'views'],
  app: ['model', 'state', 'engine', 'bench', 'views', 'ui'],
};

// The benchmark panel is the one UI module that drives the benchmark runner (loaded on demand).
const EXTRA: Record<string, readonly Layer[]> = { 'src/ui/benchPanel.ts': ['bench'] };

/** The layer of a path under src/ ('src/main.ts' is the app's entry), or null when it lies in none. */
function layerOf(path: string): Layer | null {
  if (path === 'src/main.ts') return 'app';
  const top = /^src\/([^/]+)\//.exec(path)?.[1];
  return top && top in MAY_IMPORT ? (top as Layer) : null;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Every relative import of a file (static, type-only, re-exports and dynamic), as repository paths with lines. */
function relativeImports(file: string): Array<{ target: string; line: number }> {
  const text = readFileSync(file, 'utf8');
  // preProcessFile skips comments and strings, and finds `import(…)` too.
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.filter((f) => f.fileName.startsWith('.'))
    .map((f) => ({
      target: relative(ROOT, resolve(dirname(file), f.fileName.replace(/\?.*$/, ''))).split(sep).join('/'),
      line: text.slice(0, f.pos).split('\n').length,
    }));
}

/** Each import under src/ that points up or across the layers, as "file:line -> target (why)". */
function violations(): string[] {
  const found: string[] = [];
  for (const file of tsFiles(SRC)) {
    const from = relative(ROOT, file).split(sep).join('/');
    const layer = layerOf(from);
    if (!layer) {
      found.push(`${from}: not in a layer (src/model, state, engine, bench, views, ui, app or src/main.ts)`);
      continue;
    }
    const allowed = new Set<Layer>([layer, ...MAY_IMPORT[layer], ...(EXTRA[from] ?? [])]);
    for (const { target, line } of relativeImports(file)) {
      if (target.startsWith('shaders/')) continue;
      const to = layerOf(target);
      if (!to) found.push(`${from}:${line} -> ${target} (outside the layers)`);
      else if (!allowed.has(to)) found.push(`${from}:${line} -> ${target} (${layer} may not import ${to})`);
    }
  }
  return found.sort();
}

describe('layers', () => {
  it('finds the imports it checks', () => {
    // Guards the scan itself: a parser that found nothing would pass every layer check.
    const imports = relativeImports(join(SRC, 'bench/researchVariants.ts')).map((i) => i.target);
    expect(imports).toContain('shaders/generated/eval2d_direct.compute.wgsl');
    expect(imports).toContain('src/engine/gpu/eval2dVariant.ts');
  });

  it('imports under src/ point down only: app -> ui, views -> state, engine -> model (bench: model, engine)', () => {
    const found = violations();
    expect(found, `${found.length} import(s) against the layers:\n  ${found.join('\n  ')}\n`).toEqual([]);
  });
});
