/**
 * Shapes of plain JSON values, declared once and used three ways: as TypeScript types
 * (`Infer`), as a runtime check (`problemsOf`), and as OpenAPI schemas (`toOpenApi`). For
 * data drydock writes itself (change event payloads), where a DTO class would be ceremony.
 */
export type Shape =
  | { kind: 'string' }
  | { kind: 'boolean' }
  | { kind: 'integer' }
  | { kind: 'nullable'; of: Shape }
  | { kind: 'array'; of: Shape }
  | { kind: 'object'; fields: Record<string, Shape> };

export const string = { kind: 'string' } as const;
export const boolean = { kind: 'boolean' } as const;
export const integer = { kind: 'integer' } as const;
export const nullable = <S extends Shape>(of: S) => ({ kind: 'nullable', of }) as const;
export const array = <S extends Shape>(of: S) => ({ kind: 'array', of }) as const;
export const object = <F extends Record<string, Shape>>(fields: F) =>
  ({ kind: 'object', fields }) as const;

export type Infer<S> = S extends { kind: 'string' }
  ? string
  : S extends { kind: 'boolean' }
    ? boolean
    : S extends { kind: 'integer' }
      ? number
      : S extends { kind: 'nullable'; of: infer O }
        ? Infer<O> | null
        : S extends { kind: 'array'; of: infer O }
          ? Infer<O>[]
          : S extends { kind: 'object'; fields: infer F }
            ? { [K in keyof F]: Infer<F[K]> }
            : never;

/** What is wrong with `value` as a `shape`, one line per problem; none when it fits exactly. */
export function problemsOf(shape: Shape, value: unknown, path = 'data'): string[] {
  switch (shape.kind) {
    case 'string':
      return typeof value === 'string' ? [] : [`${path}: expected a string`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${path}: expected a boolean`];
    case 'integer':
      return Number.isInteger(value) ? [] : [`${path}: expected an integer`];
    case 'nullable':
      return value === null ? [] : problemsOf(shape.of, value, path);
    case 'array':
      return Array.isArray(value)
        ? value.flatMap((item, i) => problemsOf(shape.of, item, `${path}[${i}]`))
        : [`${path}: expected an array`];
    case 'object': {
      if (value === null || typeof value !== 'object' || Array.isArray(value))
        return [`${path}: expected an object`];
      const record = value as Record<string, unknown>;
      const unknown = Object.keys(record)
        .filter((key) => !(key in shape.fields))
        .map((key) => `${path}.${key}: not described`);
      const fields = Object.entries(shape.fields).flatMap(([key, field]) =>
        key in record
          ? problemsOf(field, record[key], `${path}.${key}`)
          : [`${path}.${key}: missing`],
      );
      return [...fields, ...unknown];
    }
  }
}

/** The OpenAPI 3 schema of a shape. */
export function toOpenApi(shape: Shape): Record<string, unknown> {
  switch (shape.kind) {
    case 'nullable':
      return { ...toOpenApi(shape.of), nullable: true };
    case 'array':
      return { type: 'array', items: toOpenApi(shape.of) };
    case 'object':
      return {
        type: 'object',
        required: Object.keys(shape.fields),
        additionalProperties: false,
        properties: Object.fromEntries(
          Object.entries(shape.fields).map(([key, field]) => [key, toOpenApi(field)]),
        ),
      };
    default:
      return { type: shape.kind };
  }
}
