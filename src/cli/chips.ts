/** `aidr chips` and `aidr tpp`: the catalog, and a TPP/PD computation shown step by step. */
import type { Command } from 'commander';
import { allChips, chip, isKnownChip } from '../data/chips.js';
import { dec, formatExact, roundForDisplay } from '../compute/exact.js';
import { highestTpp, macTops, performanceDensity, type Rate } from '../compute/tpp.js';
import { classifyIc, displayPd } from '../law/part774/eccn-3a090.js';
import { UsageError, reportAndExit, writeJson } from './io.js';

function classificationOf(tpp: ReturnType<typeof dec>, area: number | null | undefined, datacenter: boolean | undefined): string {
  const c = classifyIc({ tpp, area: area ? dec(area) : undefined, datacenter, path: 'item', label: 'the IC' });
  return c.candidates.map((p) => (p === null ? 'not 3A090.a/.b' : `3A090.${p}`)).join(' or ');
}

export function registerChips(program: Command): void {
  program
    .command('chips')
    .description('List the chip catalog with TPP, performance density and 3A090 classification')
    .option('--format <format>', 'text or json', 'text')
    .action((flags: { format: string }) => {
      const rows = allChips().map((c) => ({
        id: c.id,
        name: `${c.vendor} ${c.name}`,
        tpp: c.tpp.toNumber(),
        tppFrom: `${c.tppRate.precision}: ${c.tppRate.denseTops} × ${c.tppRate.bitLength} bits`,
        dieAreaMm2: c.dieAreaMm2,
        performanceDensity: c.pd ? displayPd(c.pd) : null,
        datacenter: c.datacenter,
        eccn: classificationOf(c.tpp, c.dieAreaMm2, c.datacenter),
      }));
      if (flags.format === 'json') return writeJson(rows);
      const header = ['id', 'TPP', 'PD', 'datacenter', 'classification', 'from'];
      const body = rows.map((r) => [r.id, String(r.tpp), r.performanceDensity === null ? '-' : String(r.performanceDensity), r.datacenter ? 'yes' : 'no', r.eccn, r.tppFrom]);
      const all = [header, ...body];
      const w = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
      process.stdout.write(`${all.map((r) => r.map((c, i) => c.padEnd(w[i]!)).join('  ').trimEnd()).join('\n')}\n`);
    });

  program
    .command('tpp')
    .description('Compute TPP and performance density step by step from datasheet figures (3A090 Technical Notes)')
    .option('--model <id>', 'a catalog chip')
    .option('--tops <n>', 'dense datasheet TOPS/TFLOPS at one precision (= 2 × MacTOPS)')
    .option('--bits <n>', 'bit length of that precision\'s multiply inputs')
    .option('--rate <precision:tops:bits>', 'a rate; repeat for several precisions (the highest TPP counts)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--area <mm2>', 'applicable die area in mm² (logic dies on a non-planar process)')
    .option('--datacenter', 'designed or marketed for datacenters')
    .option('--no-datacenter', 'not designed or marketed for datacenters')
    .option('--format <format>', 'text or json', 'text')
    .action((flags: { model?: string; tops?: string; bits?: string; rate?: string[]; area?: string; datacenter?: boolean; format: string }) => {
      try {
        let rates: Rate[];
        let area: number | null | undefined = flags.area !== undefined ? Number(flags.area) : undefined;
        let datacenter = flags.datacenter;
        if (flags.model) {
          if (!isKnownChip(flags.model)) throw new UsageError(`unknown chip model ${flags.model} (see aidr chips)`);
          const c = chip(flags.model);
          rates = c.rates;
          area ??= c.dieAreaMm2;
          datacenter ??= c.datacenter;
        } else if (flags.rate?.length) {
          rates = flags.rate.map((r) => {
            const [precision, tops, bits] = r.split(':');
            if (!precision || !(Number(tops) > 0) || !(Number(bits) > 0)) throw new UsageError(`--rate expects precision:tops:bits, e.g. FP8:1979:8 (got "${r}")`);
            return { precision, denseTops: Number(tops), bitLength: Number(bits) };
          });
        } else if (flags.tops && flags.bits) {
          if (!(Number(flags.tops) > 0) || !(Number(flags.bits) > 0)) throw new UsageError('--tops and --bits must be positive numbers');
          rates = [{ precision: `${flags.bits}-bit`, denseTops: Number(flags.tops), bitLength: Number(flags.bits) }];
        } else {
          throw new UsageError('give --model, --rate (repeatable), or --tops with --bits');
        }
        if (area !== undefined && area !== null && !(area > 0)) throw new UsageError('--area must be a positive number of mm²');
        const lines: string[] = ['TPP = 2 × MacTOPS × bit length (3A090 Technical Note 1); the datasheet TOPS is 2 × MacTOPS.'];
        for (const r of rates) lines.push(`  ${r.precision}: MacTOPS = ${r.denseTops} / 2 = ${formatExact(macTops(r.denseTops))}; TPP = 2 × ${formatExact(macTops(r.denseTops))} × ${r.bitLength} = ${formatExact(dec(r.denseTops).times(r.bitLength))}`);
        const { tpp, rate } = highestTpp(rates);
        lines.push(`Highest TPP (Technical Note 2): ${formatExact(tpp)} (${rate.precision})`);
        const pd = area ? performanceDensity(tpp, area) : undefined;
        lines.push(pd ? `PD = TPP / applicable die area = ${formatExact(tpp)} / ${area} = ${formatExact(pd.toDecimalPlaces(6))} (Technical Note 4)` : 'PD: unknown (no applicable die area given)');
        lines.push(`Designed or marketed for datacenters: ${datacenter === undefined ? 'unknown' : datacenter ? 'yes' : 'no'}`);
        const eccn = classificationOf(tpp, area, datacenter);
        lines.push(`Classification: ${eccn}`);
        if (flags.format === 'json') return writeJson({ tpp: tpp.toNumber(), highestFrom: rate, performanceDensity: pd ? roundForDisplay(pd, 4) : null, datacenter: datacenter ?? null, classification: eccn });
        process.stdout.write(`${lines.join('\n')}\n`);
      } catch (e) {
        reportAndExit(e);
      }
    });
}
