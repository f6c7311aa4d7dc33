/** Python's OrderedDict for the ports: a Map with `update` (existing keys keep their place). */
export class OrderedMap<V> extends Map<string, V> {
  update(src: Iterable<readonly [string, V]>): void {
    for (const [k, v] of src) this.set(k, v);
  }
}
