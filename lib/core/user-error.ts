/**
 * An error the user can act on: a bad value, flag, name or file, whose message already says what was
 * wrong and what is allowed. The CLI prints its message alone and exits 1. Anything else that reaches
 * the CLI is a bug, printed with its stack mapped to the TypeScript source.
 */
export class UserError extends Error {
  override name = 'UserError';
}
