/**
 * node dist/bench/flame-graph.js <file.folded> [title] > flame.svg
 *
 * Draws folded stacks (`root;caller;callee <weight>` a line, as `profile-summary --folded`
 * writes them) as a flame graph in one SVG file: the roots along the bottom, each frame as wide
 * as the time spent in it and in what it called, its callees stacked on it; a frame's tooltip
 * says its name, its time and its share. Frames narrower than a tenth of a pixel are left out.
 * Colours say where the code lives: ours (`dist/`), a package (`node_modules`), Node's own, V8's
 * pseudo frames (GC, program, native). A static picture, which any browser and GitHub's file
 * view show; for zooming, open the .folded file in speedscope.
 */
import { readFileSync } from 'node:fs';

interface Frame {
  name: string;
  total: number;
  children: Map<string, Frame>;
}

const WIDTH = 1200;
const FRAME_HEIGHT = 16;
const PADDING = 10;
const TITLE_HEIGHT = 30;
const CHAR_WIDTH = 6.6;
const MIN_WIDTH = 0.1;

/** The folded lines as one tree of frames, each with the weight of its subtree. */
export function foldedTree(folded: string): Frame {
  const root: Frame = { name: 'all', total: 0, children: new Map() };
  for (const line of folded.split('\n')) {
    const at = line.lastIndexOf(' ');
    if (at <= 0) continue;
    const weight = Number(line.slice(at + 1));
    if (!Number.isFinite(weight) || weight <= 0) continue;
    root.total += weight;
    let frame = root;
    for (const name of line.slice(0, at).split(';')) {
      let child = frame.children.get(name);
      if (!child) {
        child = { name, total: 0, children: new Map() };
        frame.children.set(name, child);
      }
      child.total += weight;
      frame = child;
    }
  }
  return root;
}

function depthOf(frame: Frame): number {
  let deepest = 0;
  for (const child of frame.children.values()) deepest = Math.max(deepest, depthOf(child));
  return deepest + 1;
}

function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );
}

/**
 * A stable colour from the frame's name, its hue from where the code lives (the frame names of
 * `profile-summary --folded`: `function place:line`, the place `dist/…` for ours, `node:…` for
 * Node's, a package's path for a package's; V8's pseudo frames have no place).
 */
function colourOf(name: string): string {
  let hash = 0;
  for (const c of name) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  const light = 55 + (hash % 20);
  const place = name.slice(name.lastIndexOf(' ') + 1);
  if (place.startsWith('dist/')) return `hsl(210, 70%, ${light}%)`;
  if (place.startsWith('node:')) return `hsl(120, 45%, ${light}%)`;
  if (place.includes('/')) return `hsl(${20 + (hash % 30)}, 85%, 60%)`;
  return `hsl(0, 0%, ${light}%)`;
}

/** The SVG of a flame graph of `folded`'s stacks. */
export function flameGraphSvg(folded: string, title: string): string {
  const root = foldedTree(folded);
  const depth = depthOf(root);
  const height = TITLE_HEIGHT + depth * FRAME_HEIGHT + PADDING;
  const scale = root.total > 0 ? (WIDTH - 2 * PADDING) / root.total : 0;
  const rects: string[] = [];
  const draw = (frame: Frame, x: number, level: number): void => {
    const width = frame.total * scale;
    if (width < MIN_WIDTH) return;
    const y = height - PADDING - (level + 1) * FRAME_HEIGHT;
    const share = ((100 * frame.total) / root.total).toFixed(2);
    const label = `${frame.name} (${(frame.total / 1000).toFixed(1)} ms, ${share} %)`;
    const fits = Math.floor((width - 6) / CHAR_WIDTH);
    const text =
      fits >= 3
        ? frame.name.length <= fits
          ? frame.name
          : `${frame.name.slice(0, fits - 2)}..`
        : '';
    rects.push(
      `<g><title>${escapeXml(label)}</title>` +
        `<rect x="${x.toFixed(2)}" y="${y}" width="${width.toFixed(2)}" height="${FRAME_HEIGHT - 1}" rx="2" fill="${level === 0 ? 'hsl(0, 0%, 80%)' : colourOf(frame.name)}"/>` +
        (text ? `<text x="${(x + 3).toFixed(2)}" y="${y + 11.5}">${escapeXml(text)}</text>` : '') +
        '</g>',
    );
    let childX = x;
    for (const child of [...frame.children.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      draw(child, childX, level + 1);
      childX += child.total * scale;
    }
  };
  draw(root, PADDING, 0);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="monospace" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fdfdf8"/>`,
    `<text x="${WIDTH / 2}" y="20" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`,
    ...rects,
    '</svg>',
    '',
  ].join('\n');
}

function main(): void {
  const [file, title] = process.argv.slice(2);
  if (!file) throw new Error('usage: flame-graph <file.folded> [title] > flame.svg');
  process.stdout.write(flameGraphSvg(readFileSync(file, 'utf8'), title ?? file));
}

if (require.main === module) main();
