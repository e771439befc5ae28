import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { layersRule } from './tools/eslint/layers.js';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.bundle/', 'coverage/'] },
  {
    // No inline `eslint-disable`: the layer rule and the rest hold everywhere.
    linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'off' },
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { gpuseg: { rules: { layers: layersRule } } },
    rules: {
      'gpuseg/layers': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-new-func': 'error',
      'no-eval': 'error',
    },
  },
  {
    // The one module that compiles generated JavaScript kernels (per shape) with `new Function`.
    files: ['src/util/compile-kernel.ts'],
    rules: { 'no-new-func': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        performance: 'readonly',
        setTimeout: 'readonly',
        Buffer: 'readonly',
      },
    },
  },
);
