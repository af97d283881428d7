/** Header fields in wire order, duplicates kept and names in their original case. */
export type HeaderList = readonly (readonly [name: string, value: string])[];

/** Case-insensitive name match; the length test spares most lower-casing. */
const sameName = (field: string, lowerName: string): boolean =>
  field.length === lowerName.length && (field === lowerName || field.toLowerCase() === lowerName);

/** The first value of `name` (case-insensitive), or undefined. */
export function getHeader(list: HeaderList, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [field, value] of list) if (sameName(field, wanted)) return value;
  return undefined;
}

/** Every value of `name` (case-insensitive), in wire order. */
export function getHeaderValues(list: HeaderList, name: string): string[] {
  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (const [field, value] of list) if (sameName(field, wanted)) values.push(value);
  return values;
}
