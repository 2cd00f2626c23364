/**
 * The rule-text page (`GET /rule`): one entry per paragraph the engine cites, each with an anchor,
 * its pinpoint citation and aidr's own summary of what it says, in plain words. It is not the text
 * of the regulation (the Federal Register and eCFR are the authority; the page says so); it is
 * what a citation link in the workbench opens, offline, to the paragraph it names.
 *
 * Paragraphs are listed in CFR order. `key` is the anchor key of src/web/citations.ts.
 */
import { anchorId } from './citations.js';

export interface RuleParagraph {
  key: string;
  citation: string;
  summary: string;
}

export interface RuleSection {
  title: string;
  paragraphs: RuleParagraph[];
}

const p = (key: string, citation: string, summary: string): RuleParagraph => ({ key, citation, summary });

export const RULE_TEXT: RuleSection[] = [
  {
    title: 'The rule',
    paragraphs: [
      p('preamble', 'Framework for Artificial Intelligence Diffusion, 90 FR 4544 (FR Doc. 2025-00636), January 15, 2025', 'The interim final rule that revised parts 734, 740, 742, 744, 748, 750, 762 and 774 of the EAR for advanced computing items and AI model weights. Its preamble explains the rule (for example that LPP is not for shipments through distributors); its DATES section sets the effective date (2025-01-13), the compliance date (2025-05-15) and the saving clause for items already en route.'),
    ],
  },
  {
    title: 'Part 732: steps for using the EAR',
    paragraphs: [
      p('part732', '15 CFR part 732', 'How to work through the EAR: jurisdiction, classification, prohibitions, license exceptions, and the red flags that call for further inquiry.'),
      p('part732-supp3', '15 CFR part 732, Supp. No. 3', 'Know-your-customer guidance and red flags. Red flag 28 (added by the rule): a request for infrastructure-as-a-service to train a model that may exceed the 4E091 threshold, from a customer headquartered outside Supp. 5(a) or whose ultimate parent is, calls for further inquiry.'),
    ],
  },
  {
    title: 'Part 734: scope of the EAR',
    paragraphs: [
      p('734.3', '15 CFR 734.3', 'What is subject to the EAR.'),
      p('734.3(a)(1)', '15 CFR 734.3(a)(1)', 'Items in the United States are subject to the EAR.'),
      p('734.3(a)(2)', '15 CFR 734.3(a)(2)', 'U.S.-origin items wherever located are subject to the EAR.'),
      p('734.3(a)(3)', '15 CFR 734.3(a)(3)', 'Foreign-made items that incorporate controlled U.S.-origin content above the de minimis levels of 734.4 are subject to the EAR (with (a)(4), foreign-made items commingled with such content). aidr does not compute de minimis: item.usContentAboveDeMinimis states it.'),
      p('734.3(b)(3)', '15 CFR 734.3(b)(3)', 'Information and software that are published (734.7) are not subject to the EAR.'),
      p('734.4', '15 CFR 734.4', 'The de minimis rules: how much controlled U.S.-origin content makes a foreign-made item subject to the EAR, by destination and item.'),
      p('734.7', '15 CFR 734.7', 'When information or software is "published": made available to the public without restriction on further dissemination.'),
      p('734.7(a)', '15 CFR 734.7(a)', 'The ways information or software becomes published (for example, made freely available to the public). Published model weights are outside 4E091.'),
      p('734.9', '15 CFR 734.9', 'The foreign direct product rules: foreign-made items that are subject to the EAR because of U.S. technology, software or equipment used to make them.'),
      p('734.9(h)', '15 CFR 734.9(h)', 'The advanced computing foreign direct product rule: certain foreign-produced advanced computing items are subject to the EAR when their product scope and destination or end-user scope are met.'),
      p('734.9(h)(1)(i)', '15 CFR 734.9(h)(1)(i)', 'The product scope of the advanced computing FDP rule.'),
      p('734.9(l)', '15 CFR 734.9(l)', 'The AI model weights foreign direct product rule (added by the rule): foreign-produced 4E091 weights are subject to the EAR when produced with certain U.S.-origin or EAR-controlled advanced computing items; weights further trained or modified (fine-tuned, quantized) abroad remain in scope.'),
      p('734.13', '15 CFR 734.13', 'What an export is.'),
      p('734.13(b)', '15 CFR 734.13(b)', 'Releasing technology or source code to a foreign person in the United States is a deemed export to the person\'s most recent country of citizenship or permanent residency.'),
      p('734.14', '15 CFR 734.14', 'What a reexport is.'),
      p('734.14(a)(1)', '15 CFR 734.14(a)(1)', 'A reexport is a shipment or transmission of an item from one foreign country to another foreign country: a shipment into the United States is not one.'),
      p('734.14(a)(2)', '15 CFR 734.14(a)(2)', 'A release of technology or source code in a foreign country to a foreign person of another country is a deemed reexport; a release to a national of the country where it takes place is not.'),
      p('734.16', '15 CFR 734.16', 'A transfer (in-country) is a change of end use or end user of an item within the same foreign country.'),
    ],
  },
  {
    title: 'Part 740: license exceptions',
    paragraphs: [
      p('part740', '15 CFR part 740', 'License exceptions: authorizations to export, reexport or transfer without a license when every condition of the exception is met.'),
      p('part740-supp1', '15 CFR part 740, Supp. No. 1', 'The country groups (A, B, D, E) that license exceptions and license requirements refer to; D:5 is the U.S. arms-embargoed group.'),
      p('part740-supp5', '15 CFR part 740, Supp. No. 5', 'The Artificial Intelligence Authorization Countries (added by the rule). Paragraph (a) lists the United States and the close allies whose entities may use License Exception AIA; paragraph (b) lists destinations whose country allocation may be increased.'),
      p('740.2', '15 CFR 740.2', 'Restrictions on all license exceptions.'),
      p('740.2(a)', '15 CFR 740.2(a)', 'No license exception may be used when a restriction applies, including when a part 744 end-use or end-user prohibition is involved.'),
      p('740.2(a)(9)(ii)', '15 CFR 740.2(a)(9)(ii)', 'For 3A090, 4A090, 4E091 and related items going to Country Groups D:1, D:4 or D:5 (unless also in A:5 or A:6), or to an entity headquartered in Macau or D:5 or whose ultimate parent is, only the exceptions this paragraph lists may be used. AIA remains usable for 4E091 to entities headquartered in Supp. 5(a) and located outside Macau and D:5; LPP is not listed.'),
      p('740.8', '15 CFR 740.8', 'License Exceptions Notified Advanced Computing (NAC) and Advanced Computing Authorized (ACA).'),
      p('740.8(a)', '15 CFR 740.8(a)', 'Scope: 3A090 (not .c), 4A090 and listed .z items, except items designed or marketed for datacenters that meet 3A090.a. NAC covers exports and reexports to Macau and D:5 and to entities headquartered there (or whose ultimate parent is); ACA covers every other destination, and transfers within Macau and D:5, without notification.'),
      p('740.8(c)(1)', '15 CFR 740.8(c)(1)', 'NAC notification: submitted in SNAP-R at least 25 calendar days before the export or reexport, with the figures BIS asks for (TPP, performance density, datasheet, prior approvals, memory bandwidth, cluster use). Ship only if BIS has not objected.'),
      p('740.8(c)(1)(iv)', '15 CFR 740.8(c)(1)(iv)', 'The notification lists all NAC and license approvals to the end user in the past 12 months.'),
      p('740.9(a)(6)', '15 CFR 740.9(a)(6)', 'License Exception TMP (temporary exports) as far as 740.2(a)(9)(ii) keeps it open for advanced computing items; aidr does not evaluate it.'),
      p('740.10', '15 CFR 740.10', 'License Exception RPL (servicing and replacement parts); kept open by 740.2(a)(9)(ii); aidr does not evaluate it.'),
      p('740.11(b)', '15 CFR 740.11(b)', 'License Exception GOV for U.S. Government and certain agency uses; kept open by 740.2(a)(9)(ii); aidr does not evaluate it.'),
      p('740.13(a)', '15 CFR 740.13(a)', 'License Exception TSU: operation technology and software; kept open by 740.2(a)(9)(ii); aidr does not evaluate it.'),
      p('740.13(c)', '15 CFR 740.13(c)', 'License Exception TSU: software updates; kept open by 740.2(a)(9)(ii); aidr does not evaluate it.'),
      p('740.25', '15 CFR 740.25', 'License Exception High Bandwidth Memory (HBM), added on 2024-12-02 (89 FR 96790) and kept open by 740.2(a)(9)(ii): 3A090.c memory under the conditions below.'),
      p('740.25(b)', '15 CFR 740.25(b)', 'Only for an exporter, reexporter or transferor headquartered in the United States or Country Group A:5 without an ultimate parent headquartered in Macau or D:5.'),
      p('740.25(c)', '15 CFR 740.25(c)', 'Only memory with a memory bandwidth density below 3.3 GB/s per mm², under the conditions of (c)(1) and (c)(2).'),
      p('740.25(c)(1)', '15 CFR 740.25(c)(1)', 'Memory going to Macau or D:5 is bought directly by the designer of the co-packaged commodity.'),
      p('740.25(c)(2)', '15 CFR 740.25(c)(2)', 'The memory is shipped directly to the packaging site; the site confirms packaging and dispatch to the designer in writing, or the finished product returns to the exporter, who reconciles the unit counts; the finished product may not exceed 3A090.a or .b unless authorized.'),
      p('740.25(d)', '15 CFR 740.25(d)', 'Not through distributors or intermediate consignees (other than forwarders or customs agents hired by the packaging site), and not for co-packaging at a Macau or D:5 facility where advanced-node ICs are produced.'),
      p('740.25(e)', '15 CFR 740.25(e)', 'A unit-count discrepancy above 1 % is a red flag; if it is not resolved, it is reported to BIS (HBMReports@bis.doc.gov) within 60 days.'),
      p('740.27', '15 CFR 740.27', 'License Exception Artificial Intelligence Authorization (AIA), added by the rule.'),
      p('740.27(a)', '15 CFR 740.27(a)', 'AIA authorizes exports, reexports and transfers (in-country) of the eligible items to entities located in a Supp. 5(a) destination, unless the entity or its ultimate parent is headquartered outside Supp. 5(a).'),
      p('740.27(a)(1)', '15 CFR 740.27(a)(1)', 'The eligible commodities: 3A090.a, 4A090.a and the listed .z items at that level.'),
      p('740.27(a)(2)', '15 CFR 740.27(a)(2)', 'Eligible software and technology: (i) for the (a)(1) commodities; (ii) AI model weights (4E091), subject to (a)(3).'),
      p('740.27(a)(3)', '15 CFR 740.27(a)(3)', 'For 4E091 only, AIA also reaches entities headquartered in a Supp. 5(a) destination (or whose ultimate parent is), wherever located, under the two conditions below.'),
      p('740.27(a)(3)(i)', '15 CFR 740.27(a)(3)(i)', 'The recipient is located outside Macau and D:5.'),
      p('740.27(a)(3)(ii)', '15 CFR 740.27(a)(3)(ii)', 'The weights are stored in a facility that meets paragraphs 14, 15 and 18 of Supp. No. 10 to part 748 (from 2026-01-15).'),
      p('740.27(b)(1)', '15 CFR 740.27(b)(1)', 'Furnish the ECCN of each item to the ultimate consignee (once, while it stays accurate).'),
      p('740.27(b)(2)', '15 CFR 740.27(b)(2)', 'Before the first use for a consignee, obtain its one-time certification: aware of AIA and the ECCN; no part 744 uses or users; no IaaS training of 4E091 models for entities outside Supp. 5(a) without authorization; no onward export to such entities without authorization; signed and dated.'),
      p('740.27(b)(2)(iv)', '15 CFR 740.27(b)(2)(iv)', 'The consignee certifies it will not export, reexport or transfer the items to an entity located or headquartered outside Supp. 5(a) (or whose ultimate parent is) without BIS authorization.'),
      p('740.27(b)(3)', '15 CFR 740.27(b)(3)', 'With each shipment, notify the ultimate consignee in writing that it is made under AIA, naming the items.'),
      p('740.27(c)', '15 CFR 740.27(c)', 'Submit the consignee certification to BIS (EARReports@bis.doc.gov, subject "AIA Certification") before the initial shipment; the text makes this apply when the consignee receives items with a cumulative TPP of 253,000,000.'),
      p('740.28', '15 CFR 740.28', 'License Exception Advanced Compute Manufacturing (ACM), added by the rule.'),
      p('740.28(a)', '15 CFR 740.28(a)', 'ACM authorizes exports, reexports and transfers to private sector end users for development, production or storage of the items before they go on to the ultimate end user, for items ultimately destined to customers outside Macau and D:5. Not for training AI models or other uses.'),
      p('740.28(b)', '15 CFR 740.28(b)', 'The eligible items: 3A090, 4A090 and the listed .z items and their software and technology; not 4E091.'),
      p('740.28(c)', '15 CFR 740.28(c)', 'Not to Macau or D:5, nor to any consignee when the ultimate consignee or its ultimate parent is headquartered there.'),
      p('740.28(d)', '15 CFR 740.28(d)', 'A private sector end user is a person not acting for a government other than the U.S., or a firm not wholly owned or otherwise controlled by such a government.'),
      p('740.28(e)', '15 CFR 740.28(e)', 'Keep an accounting of the items moved into and out of each facility, updated at least every six months.'),
      p('740.29', '15 CFR 740.29', 'License Exception Low Processing Performance (LPP), added by the rule.'),
      p('740.29(a)', '15 CFR 740.29(a)', 'LPP authorizes exports and reexports (not transfers) of the eligible commodities directly to a single ultimate consignee, up to the annual cumulative TPP of (d). The preamble adds that it is not for shipments through distributors.'),
      p('740.29(b)', '15 CFR 740.29(b)', 'The eligible commodities: 3A090.a, 4A090.a and the listed .z items at that level.'),
      p('740.29(c)', '15 CFR 740.29(c)', 'Ineligible destinations.'),
      p('740.29(c)(1)', '15 CFR 740.29(c)(1)', 'Macau and Country Group D:5.'),
      p('740.29(c)(2)', '15 CFR 740.29(c)(2)', 'Any destination when the ultimate consignee or its ultimate parent is headquartered in Macau or D:5.'),
      p('740.29(d)', '15 CFR 740.29(d)', 'All LPP shipments, by all exporters, to one ultimate consignee may not exceed 26,900,000 cumulative TPP in a calendar year.'),
      p('740.29(e)', '15 CFR 740.29(e)', 'LPP may not be used for part 744 prohibited end uses or end users.'),
      p('740.29(f)', '15 CFR 740.29(f)', 'Before using LPP, obtain the ultimate consignee\'s signed statement: aware of the LPP shipment and the ECCN, no part 744 uses or users, and it has not received the annual cumulative TPP under LPP this calendar year.'),
      p('740.29(g)', '15 CFR 740.29(g)', 'Reports to BIS at EARReports@bis.doc.gov.'),
      p('740.29(g)(1)', '15 CFR 740.29(g)(1)', 'Send BIS a copy of the consignee statement within 30 days of the export or reexport (subject "LPP Shipment").'),
      p('740.29(g)(2)', '15 CFR 740.29(g)(2)', 'The ultimate consignee notifies BIS as soon as it receives the shipment that exhausts its annual limit (subject "LPP TPP Limit Reached").'),
      p('740.29(g)(3)', '15 CFR 740.29(g)(3)', 'Notify BIS before the export or reexport of any shipment with an aggregate TPP of 3,200,000 (subject "LPP Shipment").'),
      p('740.29(h)', '15 CFR 740.29(h)', 'Definitions for LPP.'),
      p('740.29(h)(1)', '15 CFR 740.29(h)(1)', 'The ultimate consignee is the ultimate parent entity that has ultimate ownership over the items.'),
    ],
  },
  {
    title: 'Part 742: control policy (CCL-based controls)',
    paragraphs: [
      p('742.6', '15 CFR 742.6', 'Regional stability controls, including the advanced computing and AI model weights controls.'),
      p('742.6(a)', '15 CFR 742.6(a)', 'License requirements.'),
      p('742.6(a)(6)(i)', '15 CFR 742.6(a)(6)(i)', 'License requirements for advanced computing items that predate this rule; (B) covers 3A090.c (high-bandwidth memory), which shares the 3A090 entry.'),
      p('742.6(a)(6)(iii)', '15 CFR 742.6(a)(6)(iii)', 'Advanced computing items: (A) 3A090.a, 4A090.a and .a-level .z items need a license to or within any destination worldwide; (B) .b-level items need one to D:1, D:4 and D:5 destinations outside A:5 and A:6.'),
      p('742.6(a)(13)', '15 CFR 742.6(a)(13)', 'AI model weights (4E091) need a license for export, reexport and transfer (in-country) to or within any destination worldwide. Deemed exports and reexports to permanent regular employees (as 734.20(d)(2) defines them) of an entity headquartered in a Supp. 5(a) destination, or whose ultimate parent is, are excepted.'),
      p('742.6(b)', '15 CFR 742.6(b)', 'Licensing policy.'),
      p('742.6(b)(10)', '15 CFR 742.6(b)(10)', 'Review policy for advanced computing items.'),
      p('742.6(b)(10)(ii)', '15 CFR 742.6(b)(10)(ii)', 'For 3A090.c (high bandwidth memory, 89 FR 96790, left in place by the rule): presumption of approval to or within Macau or D:5 for an entity not headquartered there (nor with an ultimate parent there); presumption of denial otherwise.'),
      p('742.6(b)(10)(iii)', '15 CFR 742.6(b)(10)(iii)', 'For the (a)(6)(iii)(A) items: (A)(1) presumption of denial for Macau and D:5 and entities headquartered there; (A)(2) presumption of approval for Supp. 5(a) destinations and entities headquartered there; (B) elsewhere, approval within the country allocation of 790,000,000 TPP for 2025 to 2027 and denial beyond it; (C) the allocation may be increased for Supp. 5(b) destinations.'),
      p('742.6(b)(10)(iv)', '15 CFR 742.6(b)(10)(iv)', 'For the (a)(6)(iii)(B) items: presumption of approval, except presumption of denial for Macau and D:5 and entities headquartered there.'),
      p('742.6(b)(14)', '15 CFR 742.6(b)(14)', 'For 4E091: presumption of denial for end users headquartered outside Supp. 5(a) or whose ultimate parent is.'),
    ],
  },
  {
    title: 'Part 744: end-use and end-user controls',
    paragraphs: [
      p('part744', '15 CFR part 744', 'End-use and end-user prohibitions; where one applies, no license exception may be used and a license is needed.'),
      p('744.23', '15 CFR 744.23', 'Supercomputer, advanced-node integrated circuits and semiconductor manufacturing equipment end uses.'),
      p('744.23(a)(3)(i)', '15 CFR 744.23(a)(3)(i)', 'A license is also required for certain .b-level advanced computing items to destinations outside D:1, D:4 and D:5 (or in A:5/A:6) when for an entity headquartered in Macau or D:5 or whose ultimate parent is.'),
      p('744.23(d)', '15 CFR 744.23(d)', 'The license review policy for the 744.23 requirements.'),
    ],
  },
  {
    title: 'Part 746: embargoes',
    paragraphs: [
      p('part746', '15 CFR part 746', 'Embargoes and other special controls; each section admits only the license exceptions it lists. aidr does not model part 746.'),
      p('746.2', '15 CFR 746.2', 'Cuba.'),
      p('746.4', '15 CFR 746.4', 'North Korea.'),
      p('746.7', '15 CFR 746.7', 'Iran.'),
      p('746.8', '15 CFR 746.8', 'Russia and Belarus (and occupied regions of Ukraine).'),
      p('746.9', '15 CFR 746.9', 'Syria.'),
    ],
  },
  {
    title: 'Part 748: applications and Data Center VEU',
    paragraphs: [
      p('part748', '15 CFR part 748', 'Applications (classification, advisory opinion and license) and documentation.'),
      p('748.3(f)', '15 CFR 748.3(f)', 'A classification request may ask BIS to confirm that a model is below the level of Note 2 to 4E091.'),
      p('748.15', '15 CFR 748.15', 'Data Center Validated End User (VEU) authorization, as revised by the rule: universal (UVEU) and national (NVEU) data center VEUs.'),
      p('748.15(a)(2)(ii)', '15 CFR 748.15(a)(2)(ii)', 'UVEU terms, including notice to BIS before adding a data center in a new location.'),
      p('748.15(a)(2)(iii)', '15 CFR 748.15(a)(2)(iii)', 'NVEU terms, including the quarterly installed-base allocations of Table 1 per NVEU and country.'),
      p('748.15(b)(2)(i)', '15 CFR 748.15(b)(2)(i)', 'Who may be a UVEU: an entity headquartered in Supp. 5(a), or whose ultimate parent is.'),
      p('748.15(b)(2)(ii)', '15 CFR 748.15(b)(2)(ii)', 'Who may be an NVEU: an entity headquartered, with its ultimate parent headquartered, or located in Country Group A, B or D:1 to D:4, except Macau and D:5.'),
      p('748.15(d)', '15 CFR 748.15(d)', 'Limits on what a VEU may do with the items it receives.'),
      p('part748-supp2', '15 CFR part 748, Supp. No. 2', 'Unique application requirements, including what an application for these items must carry.'),
      p('part748-supp7', '15 CFR part 748, Supp. No. 7', 'The list of authorized validated end users and their items and locations.'),
      p('part748-supp10', '15 CFR part 748, Supp. No. 10', 'Data Center VEU authorization guidelines (added by the rule): security, reporting and distribution requirements. Paragraph 6 limits where a UVEU\'s computing power may be (at most 25 % outside Supp. 5(a), 7 % in any one such country, and for U.S.-headquartered UVEUs at least half in the United States); paragraphs 14, 15 and 18 set the physical, cyber and personnel security a facility storing 4E091 weights must meet.'),
    ],
  },
  {
    title: 'Parts 750, 762, 764',
    paragraphs: [
      p('750.7(g)', '15 CFR 750.7(g)', 'Validity of licenses: licenses for these items are generally valid for one year.'),
      p('part762', '15 CFR part 762', 'Recordkeeping.'),
      p('762.2(b)(58)', '15 CFR 762.2(b)(58)', 'Records of AIA transactions are kept under part 762.'),
      p('762.2(b)(59)', '15 CFR 762.2(b)(59)', 'Records of ACM transactions are kept under part 762.'),
      p('762.2(b)(60)', '15 CFR 762.2(b)(60)', 'Records of LPP transactions are kept under part 762.'),
      p('762.6', '15 CFR 762.6', 'Records are kept for five years.'),
      p('764.2(b)', '15 CFR 764.2(b)', 'Causing, aiding or abetting a violation of the EAR is itself a violation.'),
    ],
  },
  {
    title: 'Part 772: definitions',
    paragraphs: [
      p('772.1', '15 CFR 772.1', 'Definitions of terms used in the EAR. "United States" includes the States, the District of Columbia, Puerto Rico and all U.S. territories, dependencies and possessions (such as Guam and the U.S. Virgin Islands), so those places count as the United States wherever the rule names it, including Supp. 5(a) and the UVEU limits.'),
    ],
  },
  {
    title: 'Part 774: the Commerce Control List',
    paragraphs: [
      p('part774-supp1', '15 CFR part 774, Supp. No. 1', 'The Commerce Control List: each ECCN with its controls, parameters, notes and list-based license exceptions.'),
      p('3A090', 'ECCN 3A090', 'Integrated circuits with high total processing performance (TPP) or performance density (PD): TPP = 2 × MacTOPS × bit length (Technical Notes); PD = TPP ÷ applicable die area.'),
      p('3A090.a', 'ECCN 3A090.a', 'The higher tier: .a.1 or .a.2.'),
      p('3A090.a.1', 'ECCN 3A090.a.1', 'TPP of 4800 or more.'),
      p('3A090.a.2', 'ECCN 3A090.a.2', 'TPP of 1600 or more and PD of 5.92 or more.'),
      p('3A090.b', 'ECCN 3A090.b', 'The lower tier: .b.1 or .b.2.'),
      p('3A090.b.1', 'ECCN 3A090.b.1', 'TPP of 2400 or more but less than 4800, and PD of 1.6 or more but less than 5.92.'),
      p('3A090.b.2', 'ECCN 3A090.b.2', 'TPP of 1600 or more, and PD of 3.2 or more but less than 5.92.'),
      p('3A090-note1', 'ECCN 3A090, Note 1', 'ICs not designed or marketed for datacenters with TPP below 4800 are outside 3A090.a and .b.'),
      p('3A090-note3', 'ECCN 3A090, Note 3', 'An IC that Note 1 removes from 3A090.a and .b does not make a computer, assembly or component that contains it 4A090.'),
      p('3A090-tn1', 'ECCN 3A090, Technical Note 1', 'TPP is 2 × MacTOPS × bit length, taking the highest value over the IC\'s precisions, at dense rates.'),
      p('4A090', 'ECCN 4A090', 'Computers, electronic assemblies and components containing ICs that meet 3A090.a (4A090.a) or 3A090.b (4A090.b); their TPP is the sum over the ICs.'),
      p('4A090.a', 'ECCN 4A090.a', 'Computers containing ICs that meet 3A090.a.'),
      p('4A090.b', 'ECCN 4A090.b', 'Computers containing ICs that meet 3A090.b.'),
      p('4E091', 'ECCN 4E091', 'The parameters (weights) of AI models trained with more than 10^26 computational operations (added by the rule), unless published.'),
      p('4E091-note1', 'ECCN 4E091, Note 1', 'Weights of published models, and of models derived from them with additional training of no more than 2.5 × 10^25 operations or 25 % of the Note 2 figure, whichever is higher, are not controlled.'),
      p('4E091-note2', 'ECCN 4E091, Note 2', 'Weights of models less capable than the most capable published model (by BIS guidance, an AISI/DOE opinion, or a classification under 748.3(f)) are not controlled.'),
      p('4E091-tn2', 'ECCN 4E091, Technical Note 2', 'Training operations may be estimated as 6 × parameters × training tokens.'),
      p('4E091-tn3', 'ECCN 4E091, Technical Note 3', 'Operations spent generating synthetic training data count when that data is more than 10 % of the training operations.'),
    ],
  },
];

export const RULE_KEYS: ReadonlySet<string> = new Set(RULE_TEXT.flatMap((s) => s.paragraphs.map((x) => x.key)));

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The page: static HTML, the workbench's stylesheet, no script. */
export function ruleTextPage(stylesheet: string): string {
  const toc = RULE_TEXT.map((s, i) => `<li><a href="#s-${i}">${escape(s.title)}</a></li>`).join('');
  const body = RULE_TEXT.map((s, i) => `<section aria-labelledby="s-${i}"><h2 id="s-${i}">${escape(s.title)}</h2><dl>${s.paragraphs.map((x) =>
    `<div class="para" id="${anchorId(x.key)}"><dt><a href="#${anchorId(x.key)}">${escape(x.citation)}</a></dt><dd>${escape(x.summary)}</dd></div>`).join('')}</dl></section>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>aidr: the paragraphs the engine cites</title><link rel="stylesheet" href="${stylesheet}"></head>
<body class="rule-text"><a class="skip" href="#main">Skip to the paragraphs</a><header class="topbar"><a class="brand" href="/">aidr workbench</a></header>
<main id="main" class="page"><h1>The paragraphs aidr cites</h1>
<p class="note">Each entry is aidr's own summary of a paragraph of 15 CFR as revised by the Framework for Artificial Intelligence Diffusion (90 FR 4544), written to help read a determination. It is not the text of the regulation: the Federal Register and the eCFR are the authority.</p>
<nav aria-label="Parts"><ul class="toc">${toc}</ul></nav>${body}</main></body></html>`;
}
