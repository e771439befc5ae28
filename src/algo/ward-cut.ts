import type { WardMerges } from './ward-tree.js';

/**
 * Cutting a Ward tree into k clusters, numbered as scikit-learn's AgglomerativeClustering numbers
 * them (`_hc_cut`): starting from the root, k−1 times replace the node of highest id by its two
 * children, the nodes held in a Python heapq (of negated ids); cluster i is the node at position
 * i of that heap's array. The heap operations are ported exactly, since the numbering is the
 * array's order, not a sorted one.
 */

/** The k nodes of a cut, in scikit-learn's label order. */
export function cutNodes(
  root: number,
  childrenOf: (node: number) => readonly [number, number],
  k: number,
): number[] {
  const heap = [-root];
  for (let s = 0; s < k - 1; s++) {
    const [a, b] = childrenOf(-heap[0]);
    heapPush(heap, -a);
    heapPushPop(heap, -b);
  }
  return heap.map((v) => -v);
}

function heapPush(heap: number[], item: number): void {
  heap.push(item);
  siftDown(heap, 0, heap.length - 1);
}

function heapPushPop(heap: number[], item: number): number {
  if (heap.length > 0 && heap[0] < item) {
    [item, heap[0]] = [heap[0], item];
    siftUp(heap, 0);
  }
  return item;
}

function siftDown(heap: number[], start: number, pos: number): void {
  const item = heap[pos];
  while (pos > start) {
    const parent = (pos - 1) >> 1;
    if (item < heap[parent]) {
      heap[pos] = heap[parent];
      pos = parent;
      continue;
    }
    break;
  }
  heap[pos] = item;
}

function siftUp(heap: number[], pos: number): void {
  const end = heap.length;
  const start = pos;
  const item = heap[pos];
  let child = 2 * pos + 1;
  while (child < end) {
    const right = child + 1;
    if (right < end && !(heap[child] < heap[right])) child = right;
    heap[pos] = heap[child];
    pos = child;
    child = 2 * pos + 1;
  }
  heap[pos] = item;
  siftDown(heap, start, pos);
}

/** Node ids of a tree's merges: children of node leaves + t. */
export function mergeChildren(tree: WardMerges): (node: number) => readonly [number, number] {
  return (node) => {
    const t = node - tree.leaves;
    return [tree.children[2 * t], tree.children[2 * t + 1]];
  };
}

/** The leaves under each of some nodes of a tree: OUT, per leaf, the position of its node (−1: none). */
export function leavesUnder(tree: WardMerges, nodes: readonly number[]): Int32Array {
  const out = new Int32Array(tree.leaves).fill(-1);
  const children = mergeChildren(tree);
  nodes.forEach((top, position) => {
    const stack = [top];
    while (stack.length > 0) {
      const v = stack.pop()!;
      if (v < tree.leaves) out[v] = position;
      else stack.push(...children(v));
    }
  });
  return out;
}
