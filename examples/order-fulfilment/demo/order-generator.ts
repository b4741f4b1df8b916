// The demo's catalogue, customers and orders, from a seeded random generator so a run
// can be repeated (--seed). The mix is chosen so that some orders must fail: a few
// customers have little credit, and one SKU (truffles) is scarce.
import type { CustomerSeed, SkuSeed } from '../seed';
import type { OrderInput, OrderLine } from '../order';

export const CATALOGUE: SkuSeed[] = [
  { sku: 'apple', price: 120, stock: 5_000 },
  { sku: 'bread', price: 350, stock: 5_000 },
  { sku: 'cheese', price: 890, stock: 5_000 },
  { sku: 'olive-oil', price: 1_290, stock: 5_000 },
  { sku: 'truffle', price: 4_900, stock: 25 },
];

const RICH = 40;
const THIN = 8;

export function customers(): CustomerSeed[] {
  const rich = Array.from({ length: RICH }, (_, i) => ({ customerId: `c-${String(i + 1).padStart(3, '0')}`, credit: 1_000_000 }));
  const thin = Array.from({ length: THIN }, (_, i) => ({ customerId: `c-thin-${i + 1}`, credit: 3_000 }));
  return [...rich, ...thin];
}

/** mulberry32: a tiny, good-enough seeded PRNG returning [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** `count` orders: about one in six from a thin-credit customer, one in five asking for truffles. */
export function generateOrders(count: number, runId: string, random: () => number): OrderInput[] {
  const people = customers();
  const rich = people.filter((c) => !c.customerId.includes('thin'));
  const thin = people.filter((c) => c.customerId.includes('thin'));
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)];
  return Array.from({ length: count }, (_, i) => {
    const customer = random() < 1 / 6 ? pick(thin) : pick(rich);
    const skus = shuffle(CATALOGUE.filter((s) => s.sku !== 'truffle'), random).slice(0, 1 + Math.floor(random() * 3));
    if (random() < 1 / 5) skus.push(CATALOGUE.find((s) => s.sku === 'truffle')!);
    const lines: OrderLine[] = skus.map((s) => ({ sku: s.sku, quantity: 1 + Math.floor(random() * 3) }));
    const amount = lines.reduce((total, l) => total + l.quantity * CATALOGUE.find((s) => s.sku === l.sku)!.price, 0);
    return { orderId: `${runId}-${String(i + 1).padStart(5, '0')}`, customerId: customer.customerId, lines, amount };
  });
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
