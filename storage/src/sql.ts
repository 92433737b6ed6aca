/**
 * A small SQL builder. It returns `{ query, params }`, where every value travels as a
 * ClickHouse server-side parameter (`{p0:String}`) and never as text in the query.
 *
 * The template tag only accepts parameters, identifiers, integers and other fragments, so
 * splicing a raw string into SQL is a type error rather than a code-review finding.
 *
 * @example
 * const where = and([sql`project_id = ${param("String", project)}`, feature ? sql`feature = ${param("String", feature)}` : undefined]);
 * const q = build(sql`SELECT sum(cost_total) AS cost FROM llm_calls WHERE ${where}`);
 * // q.query  === "SELECT sum(cost_total) AS cost FROM llm_calls WHERE (project_id = {p0:String})"
 * // q.params === { p0: "default" }
 */

/** A finished statement: SQL text with `{name:Type}` placeholders and their values. */
export interface Query {
  query: string;
  params: Record<string, unknown>;
}

/** A value bound as a server-side parameter of a ClickHouse type. */
export class Param {
  constructor(
    readonly type: string,
    readonly value: unknown,
  ) {}
}

/** A column or table name, checked to be a plain identifier. */
export class Identifier {
  constructor(readonly name: string) {}
}

/** An integer written into the text. Only for places ClickHouse cannot parameterise (DDL). */
export class IntegerLiteral {
  constructor(readonly value: number) {}
}

export type SqlPart = Param | Identifier | IntegerLiteral | Fragment;

/** A piece of SQL with its parameters, not yet numbered. */
export class Fragment {
  constructor(
    readonly strings: readonly string[],
    readonly values: readonly SqlPart[],
  ) {}
}

const TYPE_NAME = /^[A-Za-z][A-Za-z0-9_]*(\([A-Za-z0-9_, ()']*\))?$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;

/** Tags a SQL template. Interpolations must be `param(...)`, `ident(...)`, `int(...)` or fragments. */
export function sql(strings: TemplateStringsArray, ...values: SqlPart[]): Fragment {
  return new Fragment([...strings], values);
}

/** Binds `value` as a parameter of ClickHouse type `type`, e.g. `param("String", id)`. */
export function param(type: string, value: unknown): Param {
  if (!TYPE_NAME.test(type)) throw new Error(`not a ClickHouse type name: ${JSON.stringify(type)}`);
  return new Param(type, value);
}

/** A checked identifier: letters, digits and underscores, optionally `db.table`. */
export function ident(name: string): Identifier {
  if (!IDENTIFIER.test(name)) throw new Error(`not a plain SQL identifier: ${JSON.stringify(name)}`);
  return new Identifier(name);
}

/** A checked integer literal, for DDL such as TTL intervals that take no parameters. */
export function int(value: number): IntegerLiteral {
  if (!Number.isSafeInteger(value)) throw new Error(`not a safe integer: ${value}`);
  return new IntegerLiteral(value);
}

/** Joins fragments with a separator such as `", "`; undefined entries are skipped. */
export function join(parts: readonly (Fragment | undefined)[], separator: string): Fragment {
  const kept = parts.filter((p): p is Fragment => p !== undefined);
  if (kept.length === 0) return new Fragment([""], []);
  const strings = ["", ...Array(kept.length - 1).fill(separator), ""];
  return new Fragment(strings, kept);
}

/** ANDs conditions, each in parentheses; no conditions gives `1` (true). */
export function and(conditions: readonly (Fragment | undefined)[]): Fragment {
  const kept = conditions.filter((c): c is Fragment => c !== undefined);
  if (kept.length === 0) return sql`1`;
  return join(
    kept.map((c) => sql`(${c})`),
    " AND ",
  );
}

/** Numbers the parameters and renders the final statement. */
export function build(fragment: Fragment): Query {
  const params: Record<string, unknown> = {};
  let next = 0;
  const render = (f: Fragment): string => {
    let text = f.strings[0] ?? "";
    f.values.forEach((value, i) => {
      text += renderPart(value) + (f.strings[i + 1] ?? "");
    });
    return text;
  };
  const renderPart = (part: SqlPart): string => {
    if (part instanceof Fragment) return render(part);
    if (part instanceof Identifier) return part.name;
    if (part instanceof IntegerLiteral) return String(part.value);
    const name = `p${next++}`;
    params[name] = part.value;
    return `{${name}:${part.type}}`;
  };
  return { query: render(fragment), params };
}

/** Shorthand for a statement without parameters, such as migration DDL. */
export function statement(text: string): Query {
  return { query: text, params: {} };
}
