/**
 * Which places a transaction reaches, decided once for every rule that asks. The rule's
 * destination tests ("to or within Macau or Country Group D:5", "destined to …", 740.8(a),
 * 740.28(c), 740.29(c)(1), 742.6(a)(6)(iii)(B), 742.6(b)(10), 744.23(a)(3)) look at where the items
 * go: the destination and, when the transaction names it, where the consignee or the end user that
 * receives them is located. INT-25 names the reading; its alternative looks at `to` alone.
 */
import type { CountryFacts } from '../data/country-groups.js';
import type { Ctx } from './context.js';
import type { TxFacts } from './facts.js';

export type PlaceTest = (c: CountryFacts) => boolean;

export const isMacauOrD5: PlaceTest = (c) => c.macauOrD5;
export const isD145NotA56: PlaceTest = (c) => c.d145NotA56;

/** The places the destination tests look at under the INT-25 reading in force. */
function placesUnder(f: TxFacts, reading: string): readonly CountryFacts[] {
  return reading === 'destination_only' && f.to ? [f.to] : f.places;
}

/** Does the transaction reach a place where `test` holds? */
export function reaches(f: TxFacts, ctx: Ctx, test: PlaceTest): boolean {
  if (f.places.length <= 1) return f.places.length === 1 && test(f.places[0]!);
  return ctx.choose('INT-25', (r) => placesUnder(f, r).some(test));
}

/** Does every place the transaction reaches satisfy `test`? */
export function reachesOnly(f: TxFacts, ctx: Ctx, test: PlaceTest): boolean {
  if (f.places.length <= 1) return f.places.length === 1 && test(f.places[0]!);
  return ctx.choose('INT-25', (r) => placesUnder(f, r).every(test));
}

/** The first place reached where `test` holds (the destination first). */
export function placeWhere(f: TxFacts, ctx: Ctx, test: PlaceTest): CountryFacts | undefined {
  if (f.places.length <= 1) return f.places[0] && test(f.places[0]) ? f.places[0] : undefined;
  return ctx.choose('INT-25', (r) => placesUnder(f, r).find(test), (a, b) => a?.code === b?.code);
}

export const reachesMacauOrD5 = (f: TxFacts, ctx: Ctx): boolean => reaches(f, ctx, isMacauOrD5);
export const reachesD145NotA56 = (f: TxFacts, ctx: Ctx): boolean => reaches(f, ctx, isD145NotA56);

/** "Germany (DE)" or "Germany (DE), end user in China (CN)" for explanations. */
export function describePlaces(f: TxFacts): string {
  const p = f.places;
  if (p.length === 1) return `${p[0]!.name} (${p[0]!.code})`;
  return p.map((c) => `${c.name} (${c.code})`).join(', ') || 'unknown';
}

/** "which is" / "which is not" for one place; "one of which is" / "none of which is" for several. */
export function whichIs(f: TxFacts, hit: boolean): string {
  if (f.places.length > 1) return hit ? 'one of which is' : 'none of which is';
  return hit ? 'which is' : 'which is not';
}
