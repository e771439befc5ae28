import type { EChartsModule } from './chart.js';

/**
 * ECharts' component dependency graph, built once instead of at every setOption. Each setOption
 * visits the option's component types in dependency order (ComponentModel.topologicalTravel, twice
 * per call), and ECharts builds that order's graph afresh each time from every registered
 * component type (about 40 in the full bundle, each type's classes asked for their dependencies):
 * about a twelfth of a report chart's setOption, the same work for every chart. The graph depends
 * on the registered classes alone, which the report's ECharts (a module of its own, loaded once)
 * never changes after loading; a new list of types gets a graph of its own.
 *
 * The travel below is ECharts' own (enableTopologicalTravel in its source, 6.0): the same graph,
 * the same order of visits, the same dependencies handed to the callback; only the graph is kept.
 * test/report-echarts-travel.test.ts checks the visits against ECharts' for every type list.
 */

type Visit = (this: unknown, componentType: string, dependencies: string[]) => void;
type Travel = (targets: string[], fullNames: string[], visit: Visit, context?: unknown) => void;

interface Vertex {
  /** The type's dependencies as ECharts lists them (handed to the callback). */
  dependencies: string[];
  /** Types that depend on this one (once per listed dependency, as ECharts counts them). */
  successors: string[];
  /** Dependencies among the registered types: visits that must come first. */
  entries: number;
}

interface Graph {
  vertices: Map<string, Vertex>;
  /** Types without dependencies among the registered ones, in ECharts' order. */
  free: string[];
}

interface TravelHost {
  topologicalTravel?: Travel;
}

/** Makes `echarts.ComponentModel.topologicalTravel` keep its graph (once per module). */
export function keepDependencyGraph(echarts: EChartsModule): void {
  const host = echarts.ComponentModel as unknown as TravelHost;
  const own = host.topologicalTravel;
  if (typeof own !== 'function' || patched.has(host)) return;
  patched.add(host);
  host.topologicalTravel = keptTravel(own.bind(host));
}

const patched = new WeakSet<object>();

/** The travel with its graph kept per list of types; `own` (ECharts') reads each type's dependencies. */
export function keptTravel(own: Travel): Travel {
  const graphs = new Map<string, Graph>();
  const graphOf = (fullNames: string[]): Graph => {
    const key = fullNames.join('\u0000');
    let graph = graphs.get(key);
    if (!graph) {
      graph = buildGraph(fullNames, dependenciesOf(own, fullNames));
      graphs.set(key, graph);
    }
    return graph;
  };
  return function travel(targets, fullNames, visit, context) {
    if (!targets.length) return;
    const { vertices, free } = graphOf(fullNames);
    const entries = new Map<string, number>();
    for (const [name, v] of vertices) entries.set(name, v.entries);
    const ready = free.slice();
    const wanted = new Set(targets);
    while (ready.length) {
      const current = ready.pop()!;
      const vertex = vertices.get(current)!;
      const visited = wanted.delete(current);
      if (visited) visit.call(context, current, vertex.dependencies.slice());
      for (const next of vertex.successors) {
        // A visited type's dependents are visited too (ECharts: a legend follows its series).
        if (visited) wanted.add(next);
        const left = entries.get(next)! - 1;
        entries.set(next, left);
        if (left === 0) ready.push(next);
      }
    }
    // A cycle (not among ECharts' own types): ECharts' travel says so, with its message.
    if (wanted.size) own(targets, fullNames, visit, context);
  };
}

/** Every type's dependencies, as ECharts' travel hands them to its callback. */
function dependenciesOf(own: Travel, fullNames: string[]): Map<string, string[]> {
  const dependencies = new Map<string, string[]>();
  own(fullNames, fullNames, (name, deps) => void dependencies.set(name, deps));
  return dependencies;
}

/** ECharts' makeDepndencyGraph, quirks kept (a dependency listed twice counts twice). */
function buildGraph(fullNames: string[], dependencies: Map<string, string[]>): Graph {
  const vertices = new Map<string, Vertex>();
  const vertex = (name: string): Vertex => {
    let v = vertices.get(name);
    if (!v) vertices.set(name, (v = { dependencies: [], successors: [], entries: 0 }));
    return v;
  };
  const free: string[] = [];
  for (const name of fullNames) {
    const v = vertex(name);
    v.dependencies = dependencies.get(name) ?? [];
    const available = v.dependencies.filter((d) => fullNames.includes(d));
    v.entries = available.length;
    if (v.entries === 0) free.push(name);
    for (const d of available) {
      const that = vertex(d);
      if (!that.successors.includes(d)) that.successors.push(name);
    }
  }
  return { vertices, free };
}
