/**
 * Bad input: a stack file, a setting, an argument or a file a command was given that is wrong in a
 * way its message names (what is wrong and how to fix it). Every command prints the message alone,
 * without a stack trace, and exits 2 (tools/cli.ts runMain). Every such error extends this class.
 */
export class InputError extends Error {}
