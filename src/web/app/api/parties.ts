/**
 * Parties picked from stored parties. No parties API exists yet (issue 14 adds parties records):
 * until it does this returns nothing and the form asks for each party's facts. When the API lands,
 * this file is the only one to change.
 */
export interface StoredParty { id: string; name: string; country?: string; headquarters?: string; ultimateParentHeadquarters?: string; ultimateParentId?: string }

export async function storedParties(_search: string): Promise<StoredParty[]> {
  return [];
}
