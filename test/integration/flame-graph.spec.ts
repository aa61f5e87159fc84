import { flameGraphSvg, foldedTree } from '../../bench/flame-graph';

describe('flame graph of folded stacks (bench/flame-graph.ts)', () => {
  const folded = [
    'main dist/apps/api/src/main.js:1;handle fastify/lib/route.js:10;query pg/lib/client.js:5 600',
    'main dist/apps/api/src/main.js:1;handle fastify/lib/route.js:10 200',
    'main dist/apps/api/src/main.js:1;emit node:events:471 100',
    '(garbage collector) 100',
    'not a line',
  ].join('\n');

  it('weighs each frame with what it and its callees took', () => {
    const root = foldedTree(folded);
    expect(root.total).toBe(1000);
    const main = root.children.get('main dist/apps/api/src/main.js:1');
    expect(main?.total).toBe(900);
    expect(main?.children.get('handle fastify/lib/route.js:10')?.total).toBe(800);
    expect(root.children.get('(garbage collector)')?.total).toBe(100);
  });

  it('draws each frame as wide as its share, its callees on it, with its time in the tooltip', () => {
    const svg = flameGraphSvg(folded, 'GET <me> & co');
    expect(svg.startsWith('<svg ')).toBe(true);
    expect(svg).toContain('GET &lt;me&gt; &amp; co');
    const rect = (name: string) => {
      const at = svg.indexOf(`<title>${name} (`);
      expect(at).toBeGreaterThan(0);
      const match = /<rect x="([\d.]+)" y="(\d+)" width="([\d.]+)"/.exec(svg.slice(at));
      return { x: Number(match?.[1]), y: Number(match?.[2]), width: Number(match?.[3]) };
    };
    const all = rect('all');
    const main = rect('main dist/apps/api/src/main.js:1');
    const handle = rect('handle fastify/lib/route.js:10');
    const query = rect('query pg/lib/client.js:5');
    expect(main.width / all.width).toBeCloseTo(0.9, 5);
    expect(handle.width / all.width).toBeCloseTo(0.8, 5);
    expect(query.width / all.width).toBeCloseTo(0.6, 5);
    // Callees above their caller (smaller y), side by side from its left edge in name order.
    const emit = rect('emit node:events:471');
    expect(main.y).toBeLessThan(all.y);
    expect(handle.y).toBeLessThan(main.y);
    expect(emit.y).toBe(handle.y);
    expect(emit.x).toBeCloseTo(main.x, 5);
    expect(handle.x).toBeCloseTo(emit.x + emit.width, 1);
    expect(svg).toContain('<title>query pg/lib/client.js:5 (0.6 ms, 60.00 %)</title>');
  });
});
