// A deterministic order book of N mixed lines as CSV, as an ERP export would give it: ICs by
// catalog id, name or alias, servers, model weights, with destinations as codes and as names,
// 20,000 customers (some sharing an ultimate parent), and about 1 line in 200 invalid (an unknown
// country, a quantity that is not a number, an ambiguous chip name).
import { createWriteStream } from 'node:fs';

const DEST = ['DE', 'Germany', 'JP', 'Japan', 'TW', 'GB', 'UK', 'FR', 'IL', 'IN', 'India', 'BR', 'Brazil', 'AE', 'SA', 'VN', 'MY', 'SG', 'MX', 'CN', 'HK', 'Hong Kong', 'RU', 'South Korea', 'Türkiye'];
const HQ = ['US', 'DE', 'JP', 'GB', 'IN', 'BR', 'AE', 'SG', 'CN', 'FR'];
const CHIPS = ['nvidia-h100-sxm', 'H100 SXM5 80GB', 'nvidia-a100-sxm', 'nvidia-h20', 'L40S', 'RTX 4090', 'MI300X', 'nvidia-b200', 'nvidia-l4', 'H100 PCIe'];
const BAD = ['Narnia', 'H100', 'ten'];

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

export const HEADER = 'order_id,ship_date,destination,item_type,model,ic_count,training_operations,quantity,customer_id,consignee_name,consignee_country,consignee_hq,consignee_parent_hq,consignee_parent_id,end_use';

export function* orderLines(n, seed = 7) {
  const r = rng(seed);
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  for (let i = 0; i < n; i++) {
    const to = pick(DEST);
    const c = Math.floor(r() * 20000);
    const parent = c % 5 === 0 ? `grp-${c % 997}` : '';
    const kind = r();
    let type = '', model = '', ics = '', ops = '';
    if (kind < 0.8) model = pick(CHIPS);
    else if (kind < 0.93) { type = 'computer'; model = pick(CHIPS.filter((x) => !x.includes(' ') || x.includes('SXM5'))); ics = '8'; }
    else { type = 'model_weights'; ops = `${1 + Math.floor(r() * 40) / 10}e${25 + Math.floor(r() * 2)}`; }
    let qty = String(1 + Math.floor(r() * 2000));
    let dest = to;
    if (i % 200 === 199) {
      const b = pick(BAD);
      if (b === 'ten') qty = 'ten'; else if (b === 'H100') model = type === 'model_weights' ? model : 'H100'; else dest = b;
    }
    const hq = pick(HQ);
    yield `PO-${i + 1},${pick(['2025-06-02', '2025-11-20', '2026-03-01'])},${dest},${type},"${model}",${ics},${ops},${qty},cust-${c},Customer ${c},${to.length === 2 ? to : ''},${hq},${c % 3 === 0 ? 'US' : hq},${parent},datacenter\n`;
  }
}

export async function writeOrders(file, n, seed) {
  const out = createWriteStream(file);
  out.write(`${HEADER}\n`);
  let buf = '';
  for (const line of orderLines(n, seed)) {
    buf += line;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise((res) => out.once('drain', res));
      buf = '';
    }
  }
  out.write(buf);
  await new Promise((res, rej) => out.end((e) => (e ? rej(e) : res())));
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  await writeOrders(process.argv[2], Number(process.argv[3] ?? 1000));
}
