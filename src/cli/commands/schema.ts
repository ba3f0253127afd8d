import * as z from 'zod/mini';
import { releaseConfigFile } from '../../config/schema.js';

/** The JSON Schema of `.releaserc.json` as Herald reads it (herald settings plus semantic-release's tagFormat). */
export function configJsonSchema(): object {
  const schema = z.toJSONSchema(releaseConfigFile, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return {
    $schema: schema.$schema,
    title: 'Herald settings in .releaserc.json',
    ...schema,
  };
}

export const schemaHelp = `Usage: herald schema

Prints the JSON Schema of .releaserc.json (Herald's "herald" key and semantic-release's tagFormat).
Point "$schema" at node_modules/herald-release/schema/herald.schema.json for editor completion.`;
