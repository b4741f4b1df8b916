// Opening balances: customers' credit (payments) and stock per SKU (inventory).
import type { Pool } from 'pg';

export interface CustomerSeed {
  customerId: string;
  credit: number;
}

export interface SkuSeed {
  sku: string;
  /** Price in cents, used by whoever composes orders. */
  price: number;
  stock: number;
}

export async function seedAccounts(pool: Pool, customers: CustomerSeed[]): Promise<void> {
  await pool.query(
    `insert into accounts (customer_id, initial_credit, available)
     select c, v, v from unnest($1::text[], $2::bigint[]) as t(c, v) on conflict (customer_id) do nothing`,
    [customers.map((c) => c.customerId), customers.map((c) => c.credit)],
  );
}

export async function seedStock(pool: Pool, skus: SkuSeed[]): Promise<void> {
  await pool.query(
    `insert into stock (sku, initial, available)
     select s, q, q from unnest($1::text[], $2::bigint[]) as t(s, q) on conflict (sku) do nothing`,
    [skus.map((s) => s.sku), skus.map((s) => s.stock)],
  );
}
