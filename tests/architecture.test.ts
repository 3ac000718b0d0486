/**
 * docs/ARCHITECTURE.md, checked: the imports between src/ folders follow the allowed arrows, no
 * folders import each other in a circle, and only the registry's built-in list imports from codecs/.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const src = path.join(__dirname, '../src');

/** The unit of a module: its folder under src/, or `base` for the files at src/'s top (index.ts: `index`). */
function unitOf(file: string): string {
  const rel = path.relative(src, file);
  if (rel.startsWith('..')) return rel.split(path.sep).includes('codecs') ? 'codecs' : 'outside';
  const [first, ...rest] = rel.split(path.sep);
  if (rest.length > 0) return first!;
  return first === 'index.ts' ? 'index' : 'base';
}

/** What each unit may import (besides itself): the arrows of docs/ARCHITECTURE.md. */
const ALLOWED: Record<string, readonly string[]> = {
  base: [],
  container: ['base'],
  media: ['base', 'container'],
  entropy: ['base'],
  runtime: ['base'],
  model: ['base', 'entropy'],
  metrics: ['base', 'media'],
  api: ['base', 'container', 'media', 'entropy', 'runtime', 'model', 'codecs'],
  bench: ['base', 'container', 'media', 'entropy', 'runtime', 'model', 'metrics', 'api'],
  cli: ['base', 'container', 'media', 'entropy', 'runtime', 'model', 'metrics', 'api', 'bench'],
  index: ['base', 'container', 'media', 'entropy', 'runtime', 'model', 'metrics', 'api', 'bench'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Every relative import (static, `export … from`, dynamic) of every file under src/: [from, to] files. */
function importEdges(): Array<[string, string]> {
  const edges: Array<[string, string]> = [];
  const pattern = /(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)'/g;
  for (const file of sourceFiles(src)) {
    for (const match of readFileSync(file, 'utf8').matchAll(pattern)) {
      edges.push([file, path.resolve(path.dirname(file), match[1]!.replace(/\.js$/, '.ts'))]);
    }
  }
  return edges;
}

/** The unit graph's strongly connected components of more than one unit (Tarjan). */
function cycles(graph: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('architecture (docs/ARCHITECTURE.md)', () => {
  const edges = importEdges();
  const graph = new Map<string, Set<string>>();
  for (const [from, to] of edges) {
    const [a, b] = [unitOf(from), unitOf(to)];
    if (a === b || b === 'codecs') continue;
    graph.set(a, (graph.get(a) ?? new Set()).add(b));
  }

  it('has no import cycle between src/ folders', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('imports only along the allowed arrows', () => {
    const wrong = edges
      .filter(([from, to]) => unitOf(from) !== unitOf(to) && !(ALLOWED[unitOf(from)] ?? []).includes(unitOf(to)))
      .map(([from, to]) => `${path.relative(src, from)} → ${path.relative(src, to)}`);
    expect(wrong).toEqual([]);
  });

  it('imports codecs/ only from the registry list of built-in codecs', () => {
    const importers = new Set(edges.filter(([, to]) => unitOf(to) === 'codecs').map(([from]) => path.relative(src, from)));
    expect([...importers]).toEqual([path.join('api', 'builtins.ts')]);
  });

  it('finds cycles (self-check)', () => {
    expect(cycles(new Map([['a', new Set(['b'])], ['b', new Set(['c'])], ['c', new Set(['a'])], ['d', new Set(['a'])]]))).toEqual([['a', 'b', 'c']]);
  });
});
