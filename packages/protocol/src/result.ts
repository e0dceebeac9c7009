/** The outcome of an operation whose failure is expected data, not a bug (STYLE §9). */
export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function err<E>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}

/** Closes a switch over a union: a compile error when a case is missing (STYLE §9). */
export function assertNever(x: never, what = "value"): never {
  throw new Error(`unexpected ${what}: ${String(x)}`);
}
