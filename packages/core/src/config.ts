import { freeze, produce, type Draft, type Immutable } from 'immer';

/**
 * Configurations are immutable values: frozen deeply once resolved, and every variant
 * (a sweep point, a CLI override) is derived from a base with a recipe, never edited.
 */
export type Config<T> = Immutable<T>;

export function freezeConfig<T>(value: T): Config<T> {
  return freeze(value, true) as Config<T>;
}

export function deriveConfig<T>(base: Config<T>, recipe: (draft: Draft<T>) => void): Config<T> {
  return freezeConfig(produce(base as T, recipe) as T);
}
