/**
 * fastText's Huffman tree over labels (HierarchicalSoftmaxLoss::buildTree), built the same way so that a model
 * trained with loss hs reads the same in fastText: leaves 0..n-1 are the labels (sorted by count, descending),
 * inner node i (n <= i < 2n-1) uses output row i - n.
 */
export interface LabelTree {
  labels: number;
  /** Per node (2n - 1): parent, children and whether it is its parent's right (binary = true) child. */
  parent: Int32Array;
  left: Int32Array;
  right: Int32Array;
  /** Label l's path: output rows pathNodes[pathOffsets[l]..pathOffsets[l+1]) with codes pathCodes[...] (1 = right). */
  pathOffsets: Int32Array;
  pathNodes: Int32Array;
  pathCodes: Int32Array;
}

export function buildLabelTree(counts: Float64Array): LabelTree {
  const n = counts.length;
  const size = Math.max(1, 2 * n - 1);
  const parent = new Int32Array(size).fill(-1);
  const left = new Int32Array(size).fill(-1);
  const right = new Int32Array(size).fill(-1);
  const binary = new Uint8Array(size);
  const count = new Float64Array(size).fill(1e15);
  for (let i = 0; i < n; i++) count[i] = counts[i]!;
  let leaf = n - 1;
  let node = n;
  for (let i = n; i < 2 * n - 1; i++) {
    const pick = () => (leaf >= 0 && count[leaf]! < count[node]! ? leaf-- : node++);
    const a = pick();
    const b = pick();
    left[i] = a;
    right[i] = b;
    count[i] = count[a]! + count[b]!;
    parent[a] = i;
    parent[b] = i;
    binary[b] = 1;
  }
  const pathOffsets = new Int32Array(n + 1);
  const nodes: number[] = [];
  const codes: number[] = [];
  for (let l = 0; l < n; l++) {
    for (let j = l; parent[j] !== -1; j = parent[j]!) {
      nodes.push(parent[j]! - n);
      codes.push(binary[j]!);
    }
    pathOffsets[l + 1] = nodes.length;
  }
  return { labels: n, parent, left, right, pathOffsets, pathNodes: Int32Array.from(nodes), pathCodes: Int32Array.from(codes) };
}
