/** Header fields in wire order, duplicates kept and names in their original case. */
export type HeaderList = readonly (readonly [name: string, value: string])[];

/** The first value of `name` (case-insensitive), or undefined. */
export function getHeader(list: HeaderList, name: string): string | undefined {
  const wanted = name.toLowerCase();
  return list.find(([field]) => field.toLowerCase() === wanted)?.[1];
}

/** Every value of `name` (case-insensitive), in wire order. */
export function getHeaderValues(list: HeaderList, name: string): string[] {
  const wanted = name.toLowerCase();
  return list.filter(([field]) => field.toLowerCase() === wanted).map(([, value]) => value);
}
