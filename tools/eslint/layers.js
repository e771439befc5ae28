// The project's import layers, as one ESLint rule. Each relative import is resolved against the
// importing file and both ends are named by their place under src/; a forbidden pair is an error.
// The lint config turns inline configuration off, so no `eslint-disable` comment can silence it.
import path from 'node:path';

/** [from, to, why]: a file under `from` may not import a module under `to` ('*' = any src path). */
const FORBIDDEN = [
  ['algo/', 'backend/cpu/', 'algorithms talk to the Backend interface, never a concrete backend'],
  ['algo/', 'backend/gpu/', 'algorithms talk to the Backend interface, never a concrete backend'],
  ['io/', 'backend/', 'readers and writers know nothing of backends'],
  ['data/', 'prep/', 'data is below prep: prep builds on matrices, not the other way round'],
  ['cluster/', 'backend/cpu/', 'sharded workers open backends through backend/select.ts'],
  ['cluster/', 'backend/gpu/', 'sharded workers open backends through backend/select.ts'],
  ['algo/', 'cluster/', 'algorithms see passes (ChunkedPasses), never the transport behind them'],
  ['backend/', 'cluster/', 'backends know nothing of sharded runs'],
  ['io/', 'cluster/', 'readers and writers know nothing of sharded runs'],
  ['data/', 'cluster/', 'data knows nothing of sharded runs'],
];

/**
 * The CLI is a client of the public API: inside src/, cli/ may import only itself and index.ts —
 * and version.ts, a leaf that `gpuseg --version` reads without loading the whole API.
 */
function cliViolation(fromRel, toRel) {
  if (!fromRel.startsWith('cli/')) return null;
  if (toRel.startsWith('cli/') || /^(index|version)\.(ts|js)$/.test(toRel)) return null;
  return 'the CLI imports only the public API (src/index.ts)';
}

const srcRoot = path.resolve(import.meta.dirname, '../../src');

function relToSrc(file) {
  const rel = path.relative(srcRoot, file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? null : rel.split(path.sep).join('/');
}

export const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: "Enforce gpuseg's import layers (DESIGN.md module map)" },
    schema: [],
  },
  create(context) {
    const fromRel = relToSrc(context.filename);
    if (fromRel === null) return {};
    function check(node, source) {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const toRel = relToSrc(path.resolve(path.dirname(context.filename), source));
      if (toRel === null) return;
      const cli = cliViolation(fromRel, toRel);
      if (cli) {
        context.report({ node, message: `${fromRel} imports ${toRel}: ${cli}` });
        return;
      }
      for (const [from, to, why] of FORBIDDEN) {
        if (fromRel.startsWith(from) && toRel.startsWith(to)) {
          context.report({ node, message: `${fromRel} imports ${toRel}: ${why}` });
        }
      }
    }
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};
