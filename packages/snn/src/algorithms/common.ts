import { ConfigError } from '@sata/core';

export const range = (a: number, b: number): number[] => Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i);

/** `name:K` with K a positive integer (required or optional). */
export function intParam(param: string | undefined, where: string, name: string, o: { required: boolean; max?: number }): number | undefined {
  if (param === undefined || param === '') {
    if (o.required) throw new ConfigError(`${where}: algorithm ${name} needs a parameter, as ${name}:K (K a positive integer)`);
    return undefined;
  }
  const k = Number(param);
  if (!Number.isInteger(k) || k < 1 || (o.max !== undefined && k > o.max)) {
    throw new ConfigError(`${where}: algorithm ${name}:${param}: K must be an integer in 1..${o.max ?? 'T'}`);
  }
  return k;
}

/** Windows of K steps: 0..K-1, K..2K-1, ... (the last may be shorter). */
export const windowsOf = (T: number, K: number): number[][] => range(0, Math.ceil(T / K)).map((w) => range(w * K, Math.min(T, (w + 1) * K)));
