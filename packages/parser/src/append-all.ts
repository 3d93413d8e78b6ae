// Appending one array to another without `push(...items)`, which passes every element as a call argument on the
// stack: arrays that grow with user input (rules, fields, problems) overflow it past roughly 120,000 elements.

/** Appends `items` to `target` in order, for arrays of any length (unlike `target.push(...items)`). */
export function appendAll<T>(target: T[], items: readonly T[]): void {
  for (let i = 0; i < items.length; i++) target.push(items[i] as T);
}
