/**
 * The realistic payload of the compression rows: a JSON array of 500 customer records, about
 * 64 KiB, as a service moving records between data centres would send. Deterministic (no random).
 */
export const RECORDS: ReadonlyArray<Record<string, string | number | boolean>> = records(500);

/** `n` records of the same shape (about 131 bytes of JSON each), for payloads of other sizes. */
export function records(n: number): Array<Record<string, string | number | boolean>> {
  return Array.from({ length: n }, (_, i) => ({
    id: 100_000 + i,
    name: `Customer ${i}`,
    email: `customer.${i}@example.com`,
    city: ['Berlin', 'Lisbon', 'Osaka', 'Lima', 'Accra'][i % 5] as string,
    country: ['DE', 'PT', 'JP', 'PE', 'GH'][i % 5] as string,
    balance: Math.round(((i * 7919) % 100_000) * 1.37) / 100,
    active: i % 3 !== 0,
  }));
}
