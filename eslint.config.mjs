// ESLint (flat config): typescript-eslint's recommended rules on lib/ and test/, plus the few rules
// that catch real bugs in this codebase, and the formatting rules of the house style (@stylistic):
// checked, not rewritten, so dense numeric code keeps the layout its authors chose.
import js from '@eslint/js';
import stylistic from '@stylistic/eslint-plugin';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'build/**', 'build-prebuild/**', 'prebuilds/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { '@stylistic': stylistic },
    rules: {
      '@stylistic/indent': ['error', 2, { SwitchCase: 1, ignoredNodes: ['ConditionalExpression', 'TemplateLiteral *'],
        flatTernaryExpressions: true, offsetTernaryExpressions: true }],
      '@stylistic/quotes': ['error', 'single', { avoidEscape: true, allowTemplateLiterals: 'always' }],
      '@stylistic/semi': ['error', 'always'],
      '@stylistic/max-len': ['error', { code: 160, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreUrls: true,
        ignoreRegExpLiterals: true, ignoreComments: false }],
      '@stylistic/no-trailing-spaces': 'error',
      '@stylistic/eol-last': 'error',
      '@stylistic/no-multiple-empty-lines': ['error', { max: 2, maxEOF: 0 }],
      '@stylistic/comma-dangle': ['error', 'always-multiline'],
      '@stylistic/brace-style': ['error', '1tbs', { allowSingleLine: true }],
      '@stylistic/keyword-spacing': 'error',
      '@stylistic/space-infix-ops': 'error',
      '@stylistic/comma-spacing': 'error',
      '@stylistic/no-tabs': 'error',
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      // The binding and PyTorch-shaped dynamic APIs (hooks, state dicts) need `any` at the edges.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Modules are callable objects (a function with a prototype), which needs `this` aliasing.
      '@typescript-eslint/no-this-alias': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // A CommonJS package: tests re-require the addon and package.json on purpose.
      '@typescript-eslint/no-require-imports': 'off',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // `let h; h = register(() => h.remove())`: a closure reads it before the one assignment.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly', __filename: 'readonly',
        Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setImmediate: 'readonly',
        setInterval: 'readonly', clearInterval: 'readonly', performance: 'readonly', SharedArrayBuffer: 'readonly',
        Atomics: 'readonly', fetch: 'readonly', AbortController: 'readonly', queueMicrotask: 'readonly', exports: 'writable',
        TextEncoder: 'readonly', TextDecoder: 'readonly', URL: 'readonly', structuredClone: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-var-requires': 'off',
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
);
