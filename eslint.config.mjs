// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/** Import a lib through its alias, never by a relative path into its sources. */
const throughAlias = {
  group: ['**/libs/*/src/**', '../../libs/**', '../libs/**'],
  message: 'Import a lib through its @jewelshot/<lib> alias, never by a relative path.',
};

/**
 * The floors of DESIGN.md: a lib imports only libs on lower floors (libs on one floor do not
 * import each other), and never an app. Libs not written yet are listed so the rule is ready.
 */
const FLOORS = {
  platform: [],
  email: ['platform'],
  audit: ['platform'],
  /** Backups read the database as tables and files: they import no domain lib. */
  backup: ['platform'],
  identity: ['platform', 'email', 'audit'],
  'credit-ledger': ['platform', 'email', 'audit', 'identity'],
  'ai-jobs': ['platform', 'email', 'audit', 'identity', 'credit-ledger'],
  /** Above ai-jobs: it announces the jobs' ends, with the job as the API shows it. */
  webhooks: ['platform', 'email', 'audit', 'identity', 'credit-ledger', 'ai-jobs'],
  /** Abuse reads every domain's events (the jobs' submits among them): it stands above ai-jobs. */
  abuse: ['platform', 'email', 'audit', 'identity', 'credit-ledger', 'ai-jobs'],
  admin: [
    'platform',
    'email',
    'audit',
    'identity',
    'credit-ledger',
    'ai-jobs',
    'webhooks',
    'abuse',
  ],
};

const floorRules = Object.entries(FLOORS).map(([lib, below]) => ({
  files: [`libs/${lib}/src/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          throughAlias,
          ...Object.keys(FLOORS)
            .filter((other) => other !== lib && !below.includes(other))
            .map((other) => ({
              group: [`@jewelshot/${other}`, `@jewelshot/${other}/**`],
              message: `libs/${lib} may import only ${below.length ? below.join(', ') : 'no other lib'} (the floors in DESIGN.md).`,
            })),
          {
            group: ['**/apps/**', '@jewelshot/api', '@jewelshot/worker'],
            message: 'A lib never imports an app.',
          },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', 'jest.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/consistent-type-imports': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-imports': ['error', { patterns: [throughAlias] }],
    },
  },
  ...floorRules,
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['scripts/*.mjs', 'bench/*.mjs', 'apps/web/e2e-draft/*.mjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        URL: 'readonly',
      },
    },
  },
  // Formatting is Prettier's job (npm run format:check); this turns off the rules that would fight it.
  prettier,
);
