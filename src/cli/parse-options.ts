import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './usage-error.js';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends OptionsConfig> = ReturnType<typeof parseArgs<{ args: string[]; strict: true; allowPositionals: boolean; options: O }>>;

/** node:util's parseArgs, strict, its complaints turned into usage errors (exit code 2). */
export function parseOptions<const O extends OptionsConfig>(args: readonly string[], options: O, allowPositionals = false): Parsed<O> {
  try {
    return parseArgs({ args: [...args], strict: true, allowPositionals, options });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
