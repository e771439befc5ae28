// The two functions of js-yaml 4 the manifest test uses (no @types/js-yaml in the tree).
declare module 'js-yaml' {
  /** Every document of a multi-document YAML stream, in order (null for an empty one). */
  export function loadAll(input: string): unknown[];
  export function load(input: string): unknown;
}
