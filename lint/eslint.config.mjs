// The project's lint rules: a small set that catches real mistakes (typescript-eslint's recommended rules, React's
// hooks rules) without restyling the code. Run with `npm run lint` from the repository root.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // A disable comment that no longer silences anything is an error, so the ones left each mean something.
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  { ignores: ['**/node_modules/**', 'dist/**', 'dist-cli/**', 'public/**', 'lint/**', 'test-results/**', '.bench/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,mts,mjs}'],
    languageOptions: { globals: { ...globals.browser, ...globals.node, ...globals.worker } },
    rules: {
      // Unused code is already an error in tsc (noUnusedLocals/Parameters); `_`-prefixed names are deliberate.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Empty catch blocks are used deliberately where a failure is recorded elsewhere; each says so in a comment.
      'no-empty': ['error', { allowEmptyCatch: true }],
      // Flags the initial value of a variable set inside try/catch and the last `o++` of unrolled loops: noise here.
      'no-useless-assignment': 'off',
    },
  },
  {
    files: ['src/app/**/*.tsx', 'src/app/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
);
