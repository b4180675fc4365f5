/** The longest a value quoted in a message may be: enough to recognise it, short enough to read. */
export const QUOTE_MAX_CHARS = 80;

/**
 * A value as JSON for an error message, cut to about `maxChars` (`…` and the size of what
 * was left out), so that a hostile input of a million elements gives a one-line message.
 * Walks only as far as it prints: the cost is bounded by `maxChars`, not by the value.
 */
export function quote(value: unknown, maxChars = QUOTE_MAX_CHARS): string {
  const out: string[] = [];
  let used = 0;
  let cut = false;
  const put = (s: string): boolean => {
    if (used + s.length > maxChars) {
      out.push(s.slice(0, Math.max(0, maxChars - used)));
      used = maxChars;
      cut = true;
      return false;
    }
    out.push(s);
    used += s.length;
    return true;
  };
  const seen = new Set<object>();
  const walk = (v: unknown): boolean => {
    if (v === null || typeof v !== 'object') {
      if (typeof v === 'string') return put(JSON.stringify(v.length > maxChars ? v.slice(0, maxChars + 1) : v));
      if (typeof v === 'bigint') return put(`${v}n`);
      if (typeof v === 'function' || typeof v === 'symbol') return put(`<${typeof v}>`);
      return put(v === undefined ? 'undefined' : typeof v === 'number' && !Number.isFinite(v) ? String(v) : JSON.stringify(v));
    }
    if (seen.has(v)) return put('<cycle>');
    seen.add(v);
    if (Array.isArray(v)) {
      if (!put('[')) return false;
      for (let i = 0; i < v.length; i++) {
        if ((i > 0 && !put(',')) || !walk(v[i])) return false;
      }
      seen.delete(v);
      return put(']');
    }
    if (!put('{')) return false;
    let first = true;
    for (const k of Object.keys(v)) {
      if ((!first && !put(',')) || !put(`${JSON.stringify(k.length > maxChars ? k.slice(0, maxChars + 1) : k)}:`) || !walk((v as Record<string, unknown>)[k])) return false;
      first = false;
    }
    seen.delete(v);
    return put('}');
  };
  walk(value);
  if (!cut) return out.join('');
  return `${out.join('')}… (${describeSize(value)})`;
}

function describeSize(v: unknown): string {
  if (typeof v === 'string') return `a string of ${v.length} characters`;
  if (Array.isArray(v)) return `a list of ${v.length} items`;
  if (typeof v === 'object' && v !== null) return `an object of ${Object.keys(v).length} keys`;
  return 'cut short';
}

/** The longest run of non-space characters a message keeps (a path, a name, a quoted value). */
export const MESSAGE_WORD_MAX_CHARS = 200;

/**
 * A message with every run of non-space characters longer than `maxChars` cut short (`…`
 * and its length). The last guard before a message is printed: values quoted with `quote`
 * are short already, but a message also echoes what others wrote into it (yargs' "Given:",
 * an OS error's path), and a 100,000-character argument must not come back as a 100 KB line.
 */
export function cutLongWords(message: string, maxChars = MESSAGE_WORD_MAX_CHARS): string {
  return message.replace(new RegExp(`\\S{${maxChars + 1},}`, 'g'), (w) => `${w.slice(0, maxChars)}… (${w.length} characters)`);
}
