/**
 * The order-fulfilment example's vocabulary. An *order* has *lines* (a SKU and a
 * quantity) and an *amount* of credit it costs its *customer*. The saga reserves
 * stock and credit for it, captures the credit (the pivot: no way back after it),
 * then ships the order, commits the stock, and confirms the order.
 */

export interface OrderLine {
  sku: string;
  quantity: number;
}

/** The saga input, submitted once per order. */
export interface OrderInput {
  orderId: string;
  customerId: string;
  lines: OrderLine[];
  /** Credit the order costs, in cents. */
  amount: number;
}

/** Participant names, as in the saga definition and the command topics. */
export const PARTICIPANTS = ['orders', 'payments', 'inventory', 'shipping'] as const;
export type ParticipantName = (typeof PARTICIPANTS)[number];
