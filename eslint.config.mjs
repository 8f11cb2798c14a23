// ESLint (flat config): typescript-eslint's type-aware recommended rules over the sources, tests and
// benches; formatting is Prettier's (.prettierrc.json). `npm test` runs both (scripts/test.mjs).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Server text is data: the sanitisers match control characters on purpose (src/http/inert.ts).
      'no-control-regex': 'off',
      // `_`-prefixed names are deliberately unused (a handler's unused parameter, a destructured rest).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
