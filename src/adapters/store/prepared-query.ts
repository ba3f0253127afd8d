import { type CompiledQuery, createQueryId, type QueryResult } from 'kysely';

const SLOT = '\u0000herald-slot:';

interface Executor {
  executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>>;
}

/**
 * A statement the engine runs for every delivery, built and compiled once, then run with new
 * values: Kysely's builder and compiler cost tens of microseconds a statement, which at 100,000
 * emails (three statements each) is seconds of a run.
 *
 * `build` compiles the query from a stand-in for each named value (typed as the value, in fact a
 * marker string) and must pass each one to the query as a plain value — a `where`, a `set` — never
 * compute with it (`now + lease` is computed by the caller and passed as one value).
 */
export function preparedQuery<P extends Record<string, unknown>, R>(
  build: (values: P) => CompiledQuery<R>,
): (executor: Executor, values: P) => Promise<QueryResult<R>> {
  let template: CompiledQuery<R> | null = null;
  let slots: (string | null)[] = [];
  return (executor, values) => {
    if (!template) {
      const standIns = Object.fromEntries(Object.keys(values).map((name) => [name, `${SLOT}${name}`]));
      const compiled = build(standIns as P);
      const names = compiled.parameters.map((p) =>
        typeof p === 'string' && p.startsWith(SLOT) ? p.slice(SLOT.length) : null,
      );
      const unused = Object.keys(values).filter((name) => !names.includes(name));
      if (unused.length > 0)
        throw new Error(`prepared query: ${unused.join(', ')} did not reach the query as parameters`);
      template = compiled;
      slots = names;
    }
    const parameters = template.parameters.map((p, i) => {
      const name = slots[i];
      return name === null || name === undefined ? p : values[name];
    });
    return executor.executeQuery({ ...template, parameters, queryId: createQueryId() });
  };
}
