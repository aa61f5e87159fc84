/**
 * node dist/bench/profile-summary.js <file.cpuprofile> [skip-seconds] [top] [--folded]
 *
 * With `--folded`: the samples as folded stacks instead (one line per distinct stack,
 * `root;caller;callee <microseconds>`), the input of a flame graph (flamegraph.pl, speedscope,
 * inferno), stacks under 0.05 % of the busy time left out.
 *
 * Self time of a V8 CPU profile (`node --cpu-prof`, e.g. BENCH_PROFILE_DIR with bench:http) by
 * package and by function, idle left out, the first `skip-seconds` (start-up, default 0) left
 * out too. A package is the node_modules folder a frame's script lives in, `node:<module>` for
 * Node's own, `dist/<app or lib>` for ours, V8's pseudo frames by name. Prints shares, not times:
 * compare runs by share.
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

function packageOf(frame: CallFrame): string {
  const url = frame.url;
  if (!url) return `(${frame.functionName.replace(/[()]/g, '') || 'native'})`;
  if (url.startsWith('node:internal/')) return url.split('/').slice(0, 2).join('/');
  if (url.startsWith('node:')) return url.split('/')[0] ?? url;
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? url);
  }
  const dist = url.indexOf('/dist/');
  if (dist >= 0)
    return url
      .slice(dist + 1)
      .split('/')
      .slice(0, 3)
      .join('/');
  return url;
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  const dist = url.indexOf('/dist/');
  return dist >= 0 ? url.slice(dist + 1) : url;
}

/** Each sampled stack, root first, with the microseconds spent in it; idle left out. */
function folded(profile: CpuProfile, skipUs: number): string {
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const frameName = (frame: CallFrame) =>
    `${frame.functionName || '(anonymous)'}${frame.url ? ` ${shortUrl(frame.url)}:${frame.lineNumber + 1}` : ''}`.replace(
      /;/g,
      ',',
    );
  const stacks = new Map<string, number>();
  let elapsed = 0;
  let total = 0;
  profile.samples.forEach((id, index) => {
    elapsed += profile.timeDeltas[index] ?? 0;
    if (elapsed < skipUs || byId.get(id)?.functionName === '(idle)') return;
    const delta = profile.timeDeltas[index] ?? 0;
    const names: string[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at);
      if (frame && frame.functionName !== '(root)') names.push(frameName(frame));
    }
    const stack = names.reverse().join(';');
    stacks.set(stack, (stacks.get(stack) ?? 0) + delta);
    total += delta;
  });
  return [...stacks.entries()]
    .filter(([, us]) => us >= total * 0.0005)
    .sort((a, b) => b[1] - a[1])
    .map(([stack, us]) => `${stack} ${us}`)
    .join('\n');
}

function main(): void {
  const args = process.argv.slice(2);
  const [file, skipArg, topArg] = args.filter((arg) => arg !== '--folded');
  if (!file) throw new Error('usage: profile-summary <file.cpuprofile> [skip-seconds] [top]');
  const skipUs = Number(skipArg ?? 0) * 1e6;
  const top = Number(topArg ?? 25);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  if (args.includes('--folded')) {
    console.log(folded(profile, skipUs));
    return;
  }
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let elapsed = 0;
  let total = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    elapsed += delta;
    if (elapsed < skipUs) return;
    const frame = byId.get(id);
    if (!frame || frame.functionName === '(idle)') return;
    total += delta;
    const pkg = packageOf(frame);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + delta);
    const name = `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + delta);
  });
  const print = (title: string, table: Map<string, number>) => {
    console.log(`-- ${title}`);
    [...table.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .forEach(([name, us]) =>
        console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${name}`),
      );
  };
  console.log(`total sampled ms ${Math.round(total / 1000)}`);
  print('by package (self)', byPackage);
  print('by function (self)', byFunction);
}

main();
