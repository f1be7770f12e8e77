/**
 * Wraps a pure function of one key so each result is computed once and then looked up, keeping at
 * most `maxEntries`: at the bound everything is dropped at once, which is cheaper than LRU
 * bookkeeping, and the keys that recur come right back.
 */
export function rememberResults<K, V>(compute: (key: K) => V, maxEntries: number): (key: K) => V {
  const remembered = new Map<K, V>();
  return function rememberedResult(key: K): V {
    const known = remembered.get(key);
    if (known !== undefined) return known;
    const result = compute(key);
    if (remembered.size >= maxEntries) remembered.clear();
    remembered.set(key, result);
    return result;
  };
}
