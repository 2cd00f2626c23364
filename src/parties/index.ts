/**
 * The parties register as a library (`aidr/parties`): import, look up and list parties, and the
 * one normalization of party ids and ledger keys.
 *
 *   import { readParties, upsertParties, getParty, normalizeKey } from 'aidr/parties';
 */
export { normalizeKey, keyOrUndefined } from './key.js';
export { getParty, listParties, loadParties, upsertParties, type Party } from './store.js';
export { readParties, type PartyRow } from './import.js';
