/**
 * 15 CFR part 746, embargoes and other special controls, applies on top of the AI Diffusion rule
 * for the destinations of data/embargoes.json (Cuba 746.2, North Korea 746.4, Iran 746.7, Russia and
 * Belarus 746.8, Syria 746.9). aidr does not model part 746; what it needs from it is that each of
 * those sections admits only the license exceptions it lists, and the rule's AIA, ACM, LPP and
 * NAC/ACA are not among them: no license exception of this rule is reported usable there.
 */
import { EMBARGOES } from '../../data/later-rules.js';

/** The part 746 section governing a destination, or undefined. */
export function part746Section(country: string | undefined): string | undefined {
  return country === undefined ? undefined : EMBARGOES.get(country);
}
