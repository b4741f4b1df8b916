// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Entries of the participant package that reach Kafka, PostgreSQL or Nest. */
const SDK_ENTRIES_WITH_IO = ['@saga-coordinator/participant', '@saga-coordinator/participant/nest', '@saga-coordinator/participant/kafka', '@saga-coordinator/participant/migrator'].map((name) => ({
  name,
  message: 'the core may import only @saga-coordinator/participant/protocol',
}));

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.local/**', 'coverage/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // The core is pure: no framework, broker or database import may reach it. Of the
    // participant package it may use only the pure protocol module.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: SDK_ENTRIES_WITH_IO, patterns: ['@nestjs/*', 'kafkajs', 'pg', 'pg-*', '../persistence/*', '../messaging/*', '../coordinator/*', '../api/*', '**/packages/**'] }],
    },
  },
  {
    // The protocol module is pure as well: the coordinator's core imports it.
    files: ['packages/participant/src/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@nestjs/*', 'kafkajs', 'pg', 'pg-*', '../*'] }],
    },
  },
  {
    // @nestjs/* is an optional peer dependency of the SDK: only its "./nest" entry may load it.
    files: ['packages/participant/src/**/*.ts'],
    ignores: ['packages/participant/src/participant.module.ts', 'packages/participant/src/protocol/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@nestjs/*', '@saga-coordinator/*'] }],
    },
  },
  {
    // The coordinator uses the SDK package through its exports, like any other user.
    files: ['src/**/*.ts'],
    ignores: ['src/core/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['**/packages/**'] }],
    },
  },
);
