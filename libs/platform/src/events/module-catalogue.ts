import { buildCatalogue, type EventCatalogue, type ProviderEntry } from './event-registry';

type Node = unknown;

/**
 * The events and subscribers of the given root modules, read from their module metadata
 * without instantiating anything (no database, no Redis): what `npm run events:map` prints.
 * Providers made by factories are not seen; events are declared with `declareEvents` (a
 * value) and subscribers are classes, so none is missed.
 */
export async function catalogueOfModules(roots: Node[]): Promise<EventCatalogue> {
  const seen = new Set<unknown>();
  const providers: ProviderEntry[] = [];

  const visit = async (node: Node): Promise<void> => {
    let item = node instanceof Promise ? await (node as Promise<unknown>) : node;
    if (item && typeof item === 'object' && 'forwardRef' in item)
      item = (item as { forwardRef: () => unknown }).forwardRef();
    if (!item || seen.has(item)) return;
    seen.add(item);
    const dynamic = typeof item === 'object' ? (item as Record<string, unknown>) : undefined;
    const moduleClass = typeof item === 'function' ? item : dynamic?.module;
    if (typeof moduleClass !== 'function') return;
    const metadata = (key: string): unknown[] => [
      ...((Reflect.getMetadata(key, moduleClass) as unknown[] | undefined) ?? []),
      ...((dynamic?.[key] as unknown[] | undefined) ?? []),
    ];
    for (const provider of metadata('providers')) {
      if (typeof provider === 'function') providers.push({ metatype: provider });
      else if (provider && typeof provider === 'object') {
        const p = provider as { useClass?: unknown; useValue?: unknown };
        if ('useClass' in p) providers.push({ metatype: p.useClass });
        else if ('useValue' in p) providers.push({ metatype: null, instance: p.useValue });
      }
    }
    for (const imported of metadata('imports')) await visit(imported);
  };

  for (const root of roots) await visit(root);
  return buildCatalogue(providers);
}

/** The catalogue as lines: each event, then each subscriber with its kind. */
export function formatCatalogue(catalogue: EventCatalogue): string {
  const lines: string[] = [];
  for (const name of [...catalogue.events.keys()].sort()) {
    lines.push(name);
    const subscribers = catalogue.subscribers.filter((s) => s.event === name);
    for (const s of subscribers.sort((a, b) => a.name.localeCompare(b.name)))
      lines.push(`  -> ${s.name} (${s.kind})`);
  }
  for (const error of catalogue.errors) lines.push(`ERROR: ${error}`);
  return `${lines.join('\n')}\n`;
}
