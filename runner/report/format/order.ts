// The one order every report lists tests in: by stable id, compared by code
// unit so it does not change with the machine's locale. (plan/ sorts the same
// way; report/ may import only model/, so the comparison lives here too.)

export function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
