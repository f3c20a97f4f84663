// The folders are the architecture: each layer imports only the layers below it, Node-only tooling and slide writers
// stay out of the product, and the browser bundle never reaches Node-only code. This test reads every import and
// fails on the first edge that goes the wrong way, so the layout cannot drift back.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

/** Product layers, lowest first: a module may import its own layer and those before it. */
const LAYERS = ['common', 'slide', 'focus', 'heatmap', 'workers', 'app'] as const;
/** Folders outside the product: what each may import besides the product layers. */
const APART: Record<string, { may: readonly string[] }> = {
  writers: { may: ['common', 'slide', 'writers'] },
  tools: { may: ['common', 'slide', 'focus', 'tools', 'writers'] },
  cli: { may: ['common', 'slide', 'focus', 'heatmap', 'workers', 'tools', 'writers', 'cli'] },
};

/** Entry points of the browser bundle: the page and every worker it starts. */
const BROWSER_ENTRIES = ['src/app/main.tsx', 'src/workers/slide.worker.ts', 'src/workers/check.worker.ts', 'src/workers/bench.worker.ts'];

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const isTest = (file: string) => /\.test\.tsx?$/.test(file);
const sources = walk(join(ROOT, 'src')).filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.d.ts'));

/** Relative imports of a file (static, dynamic and `new URL(…, import.meta.url)` worker references), resolved. */
function importsOf(file: string): { target: string; typeOnly: boolean }[] {
  const text = readFileSync(file, 'utf8');
  const found: { target: string; typeOnly: boolean }[] = [];
  const patterns = [
    /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"](\.[^'"]+)['"]/gm,
    /^\s*import\s+['"](\.[^'"]+)['"]/gm,
    /import\(\s*['"](\.[^'"]+)['"]\s*\)/g,
    /new URL\(\s*['"](\.[^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g,
  ];
  patterns.forEach((re, i) => {
    for (const m of text.matchAll(re)) {
      const spec = i === 0 ? m[3]! : m[1]!;
      found.push({ target: resolve(dirname(file), spec.replace(/\?.*$/, '')), typeOnly: i === 0 && Boolean(m[2]) });
    }
  });
  return found;
}

/** The top-level folder under src/ (or the repository folder, e.g. test-support) a file belongs to. */
function area(file: string): string {
  const rel = relative(ROOT, file).split(/[\\/]/);
  return rel[0] === 'src' ? (rel.length > 2 ? rel[1]! : 'root') : rel[0]!;
}

function allowed(from: string, to: string): boolean {
  if (to === 'root') return false;
  const fromLayer = LAYERS.indexOf(from as (typeof LAYERS)[number]);
  const toLayer = LAYERS.indexOf(to as (typeof LAYERS)[number]);
  if (fromLayer >= 0) return toLayer >= 0 && toLayer <= fromLayer;
  const apart = APART[from];
  return apart ? apart.may.includes(to) : false;
}

/**
 * Mutable state declared at a module's top level (the code is formatted, so top level = unindented): a `let` or `var`,
 * or a `const` holding a new Map, Set, WeakMap, WeakSet, Array or AbortController. Such state is shared by every
 * user of the module and survives from one test to the next; app glue keeps its state in instances and store
 * factories instead. Simple on purpose: it does not follow state hidden behind other constructors or plain literals.
 */
function moduleState(text: string): string[] {
  const patterns = [/^(?:export\s+)?(?:let|var)\s+[\w$]+/gm, /^(?:export\s+)?const\s+[\w$]+(?:\s*:[^=\n]+)?\s*=\s*new\s+(?:Map|Set|WeakMap|WeakSet|Array|AbortController)\b/gm];
  return patterns.flatMap((re) => [...text.matchAll(re)].map((m) => m[0]));
}

describe('import graph', () => {
  it('every product and tooling module imports only the layers below it (tests aside)', () => {
    const wrong: string[] = [];
    for (const file of sources) {
      if (isTest(file) || area(file) === 'root') continue;
      for (const { target } of importsOf(file)) {
        if (!allowed(area(file), area(target))) wrong.push(`${relative(ROOT, file)} → ${relative(ROOT, target)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('test support is imported by tests only', () => {
    const wrong = sources
      .filter((f) => !isTest(f))
      .flatMap((f) => importsOf(f).filter((i) => area(i.target) === 'test-support').map((i) => `${relative(ROOT, f)} → ${relative(ROOT, i.target)}`));
    expect(wrong).toEqual([]);
  });

  it('the browser bundle reaches no Node-only code, tooling, writers or test support', () => {
    const seen = new Set<string>();
    const wrong: string[] = [];
    const visit = (file: string, via: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const where = area(file);
      if (!LAYERS.includes(where as (typeof LAYERS)[number]) || /\.node\.tsx?$|[\\/]node[\\/]|node-[^\\/]*\.ts$/.test(relative(ROOT, file))) {
        wrong.push(`${relative(ROOT, file)} (via ${via})`);
        return;
      }
      const text = readFileSync(file, 'utf8');
      const builtin = /from\s+['"]node:[^'"]+['"]|import\(\s*['"]node:/.exec(text);
      if (builtin) wrong.push(`${relative(ROOT, file)} imports ${builtin[0]} (via ${via})`);
      for (const { target, typeOnly } of importsOf(file)) {
        if (typeOnly) continue; // erased at build time
        const resolved = [target, `${target}.ts`, `${target}.tsx`].find((p) => {
          try {
            return statSync(p).isFile();
          } catch {
            return false;
          }
        });
        if (resolved && /\.tsx?$/.test(resolved)) visit(resolved, relative(ROOT, file));
      }
    };
    for (const entry of BROWSER_ENTRIES) visit(resolve(ROOT, entry), 'entry');
    expect(seen.size).toBeGreaterThan(20); // the walk really followed the imports
    expect(wrong).toEqual([]);
  });
});

describe('app glue', () => {
  it('no app module keeps mutable state at module level (tests aside)', () => {
    // The check itself: it catches top-level state and lets state inside functions and classes be.
    const sample = 'let a = 1;\nexport const b: Map<string, number> = new Map();\nconst c = new Set<number>();\nfunction f() {\n  let d = 2;\n}\nconst e = 3;';
    expect(moduleState(sample)).toEqual(['let a', 'export const b: Map<string, number> = new Map', 'const c = new Set']);

    const app = sources.filter((f) => area(f) === 'app' && !isTest(f));
    expect(app.length).toBeGreaterThan(10);
    const found = app.flatMap((f) => moduleState(readFileSync(f, 'utf8')).map((d) => `${relative(ROOT, f)}: ${d}`));
    expect(found).toEqual([]);
  });
});
