// The operator dashboard in a real Chromium, against the real coordinator on PostgreSQL
// and Kafka with scripted participants: sign in with a key, list and filter sagas, open
// one and read its timeline, cancel a running saga and watch it compensate, repair FAILED
// sagas in bulk, and check that a viewer key is offered no action.
//
// Screenshots of the main pages go to .local/screenshots; with DASHBOARD_SCREENSHOTS=docs
// they replace docs/img/dashboard-*.png (the README shows them):
//   DASHBOARD_SCREENSHOTS=docs npx jest test/integration/dashboard/dashboard-browser.spec.ts
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { CommandMessage } from '@saga-coordinator/participant/protocol';
import type { SagaDefinition } from '../../../src/core/saga-definition';
import { launchBrowser, type TestBrowser } from '../../support/browser';
import { buildDashboard } from '../../support/dashboard-build';
import { sagaStatus, waitFor, waitForSagaStatus } from '../../support/saga-waits';
import { ApiTestApp, KEYS, Role, startApiTestApp } from '../api/support/api-test-app';

const SCREENSHOT_DIR = process.env.DASHBOARD_SCREENSHOTS === 'docs' ? join(__dirname, '..', '..', '..', 'docs', 'img') : join(__dirname, '..', '..', '..', '.local', 'screenshots');
const UI_TIMEOUT_MS = 20_000;

// Count-only retry budgets (no minimum window): a refund that keeps failing escalates to FAILED in milliseconds.
const RETRY = { maxAttempts: 2, initialBackoffMs: 50, maxBackoffMs: 100, multiplier: 2, jitter: 0, minRetryWindowMs: 0 };
/** A long attempt timeout: a held command stays in flight for the whole test. */
const STEP = { retry: RETRY, timeoutMs: 120_000 };
const ORDER: SagaDefinition = {
  name: 'order-fulfilment',
  description: 'create the order, charge the card, reserve the stock',
  minCompensationWindowMs: 0,
  steps: [
    { name: 'createOrder', participant: 'orders', command: 'order.create', compensation: 'order.cancel', ...STEP },
    { name: 'charge', participant: 'payments', command: 'payment.charge', compensation: 'payment.refund', ...STEP },
    { name: 'reserveStock', participant: 'stock', command: 'stock.reserve', compensation: 'stock.release', ...STEP },
  ],
};

/** What the scripted participants do, chosen by the saga input's `plan`. */
type Plan = 'ok' | 'declined' | 'hold' | 'refund-fails';

describe('the operator dashboard in Chromium', () => {
  let api: ApiTestApp;
  let browser: TestBrowser;
  let base: string;
  let refundsWork = false;
  const sagas: Record<string, string> = {};

  beforeAll(async () => {
    buildDashboard();
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    browser = await launchBrowser();
    api = await startApiTestApp(['orders', 'payments', 'stock']);
    base = `http://127.0.0.1:${(api.h.app.getHttpServer().address() as AddressInfo).port}`;

    api.h.participants.on(ORDER.name, (cmd) => {
      const plan = planOf(cmd);
      if (cmd.action === 'execute') {
        if (cmd.step === 'charge' && plan === 'declined') return { outcome: 'failure', error: { code: 'CARD_DECLINED', message: 'card declined by the issuer' } };
        if (cmd.step === 'charge' && plan === 'hold') return 'drop';
        if (cmd.step === 'reserveStock' && plan === 'refund-fails') return { outcome: 'failure', error: { code: 'OUT_OF_STOCK', message: 'sku A-7 out of stock' } };
        return { outcome: 'success', output: { ref: `${cmd.step}-${cmd.sagaId.slice(0, 4)}` } };
      }
      if (cmd.step === 'charge' && plan === 'refund-fails' && !refundsWork) return { outcome: 'failure', error: { code: 'PSP_UNAVAILABLE', message: 'payment provider unavailable' } };
      return { outcome: 'success' };
    });
    await api.as('admin').post('/v1/definitions', ORDER).expect(201);

    const start = async (businessKey: string, plan: Plan) => {
      const res = await api.as('operator').post('/v1/sagas', { definition: ORDER.name, businessKey, input: { orderId: businessKey, amount: 120, plan } }).expect(201);
      sagas[businessKey] = res.body.sagaId;
      return res.body.sagaId as string;
    };
    // Created one after the other, so the list's order (newest first) is known.
    await waitForSagaStatus(api.h.pool, await start('order-1001', 'ok'), ['COMPLETED']);
    await waitForSagaStatus(api.h.pool, await start('order-1002', 'ok'), ['COMPLETED']);
    await waitForSagaStatus(api.h.pool, await start('order-1003', 'declined'), ['COMPENSATED']);
    await waitForSagaStatus(api.h.pool, await start('order-1004', 'refund-fails'), ['FAILED']);
    const held = await start('order-1005', 'hold');
    await waitFor('the held charge command', async () => api.h.participants.commandsOf(held).find((c) => c.step === 'charge'));
  }, 15 * 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  async function signedIn(role: Role): Promise<Page> {
    // A new page is a new tab: its sessionStorage is empty, so it asks for a key.
    const page = await browser.context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    await page.goto(`${base}/ui/`);
    await page.locator('input[name="api-key"]').fill(KEYS[role].key);
    await page.getByRole('button', { name: 'Open the dashboard' }).click();
    await page.locator('.who', { hasText: KEYS[role].name }).waitFor();
    return page;
  }

  /** Attributes and texts of the matching elements, read in one go: the list re-renders while it refreshes. */
  type Node = { getAttribute(name: string): string | null; querySelector(selector: string): { textContent: string | null } | null };

  async function rowStatuses(page: Page): Promise<Record<string, string>> {
    const rows = await page.locator('table.sagas tbody tr[data-saga-id]').evaluateAll((els: Node[]) => els.map((e) => [e.getAttribute('data-saga-id'), e.querySelector('.badge')?.textContent?.trim()]));
    return Object.fromEntries(rows);
  }

  const rowIds = (page: Page) => page.locator('table.sagas tbody tr[data-saga-id]').evaluateAll((els: Node[]) => els.map((e) => e.getAttribute('data-saga-id')!));

  async function waitForRows(page: Page, expected: string[]): Promise<void> {
    const wanted = [...expected].sort().join(',');
    await waitFor(`the list to show ${expected.length} sagas`, async () => ((await rowIds(page)).sort().join(',') === wanted ? true : undefined), UI_TIMEOUT_MS);
  }

  const timelineRows = (page: Page) =>
    page
      .locator('[data-testid="timeline"] tbody tr')
      .evaluateAll((els: Node[]) => els.map((r) => `${r.getAttribute('data-step')} ${r.getAttribute('data-action')} #${r.getAttribute('data-attempt')} ${r.getAttribute('data-outcome')}`));

  /** The whole page; a page with a dialog open as the viewport shows it (the overlay covers the viewport only). */
  const shot = (page: Page, name: string, fullPage = true) => page.screenshot({ path: join(SCREENSHOT_DIR, `dashboard-${name}.png`), fullPage });

  it('refuses a wrong key on the sign-in form and keeps the right one for the tab only', async () => {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    await page.goto(`${base}/ui/`);
    await page.locator('input[name="api-key"]').fill('not-a-key-but-long-enough-000');
    await page.getByRole('button', { name: 'Open the dashboard' }).click();
    await page.locator('.problem', { hasText: 'API_KEY_INVALID' }).waitFor();
    await page.locator('input[name="api-key"]').fill(KEYS.operator.key);
    await page.getByRole('button', { name: 'Open the dashboard' }).click();
    await page.locator('.who', { hasText: KEYS.operator.name }).waitFor();
    expect(await page.evaluate('Object.values(sessionStorage)')).toEqual([KEYS.operator.key]);
    expect(await page.evaluate('localStorage.length')).toBe(0);
    // A reload keeps the tab signed in; forgetting the key asks again.
    await page.reload();
    await page.locator('.who', { hasText: KEYS.operator.name }).waitFor();
    await page.getByRole('button', { name: 'Forget key' }).click();
    await page.locator('input[name="api-key"]').waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await page.close();
  });

  it('lists the sagas newest first with their status, and filters them by status, business key and needs-operator', async () => {
    const page = await signedIn('operator');
    const all = ['order-1005', 'order-1004', 'order-1003', 'order-1002', 'order-1001'].map((k) => sagas[k]);
    await waitForRows(page, all);
    expect(await rowIds(page)).toEqual(all);
    const statuses = await rowStatuses(page);
    for (const id of all) expect({ id, shown: statuses[id] }).toEqual({ id, shown: await sagaStatus(api.h.pool, id) });
    await shot(page, 'sagas');

    await page.locator('label.chip', { hasText: 'compensated' }).click();
    await waitForRows(page, [sagas['order-1003']]);
    expect(page.url()).toContain('status=COMPENSATED');

    await page.getByRole('button', { name: 'Clear' }).click();
    await waitForRows(page, all);
    await page.locator('input[name="businessKey"]').fill('order-1002');
    await page.getByRole('button', { name: 'Apply' }).click();
    await waitForRows(page, [sagas['order-1002']]);

    await page.getByRole('button', { name: 'Clear' }).click();
    await page.locator('label.chip', { hasText: 'needs operator' }).click();
    await waitForRows(page, [sagas['order-1004']]);

    // A time range that ends before any saga was created shows none.
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.locator('input[name="createdTo"]').fill('2020-01-01T00:00');
    await page.locator('td.empty', { hasText: 'No saga matches' }).waitFor();
    await page.close();
  });

  it('counts the running and FAILED instances of each definition version', async () => {
    const page = await signedIn('viewer');
    await page.locator('nav a', { hasText: 'Definitions' }).click();
    const version = page.locator(`section[data-definition="${ORDER.name}"] tr[data-version="1"]`);
    await version.waitFor();
    expect(await page.locator(`section[data-definition="${ORDER.name}"]`).textContent()).toContain(ORDER.description!);
    // One held (running) and one stuck in compensation (FAILED), as the database says.
    const cells = await version.locator('td.num').allTextContents();
    expect(cells.slice(0, 2)).toEqual(['1', '1']);
    await shot(page, 'definitions');
    await page.close();
  });

  it('opens a compensated saga: the reason, every attempt and compensation on the timeline, the history with actors', async () => {
    const page = await signedIn('operator');
    await page.locator(`tr[data-saga-id="${sagas['order-1003']}"] a`).click();
    await page.locator('[data-testid="timeline"]').waitFor();
    expect(await timelineRows(page)).toEqual(['createOrder execute #1 SUCCEEDED', 'charge execute #1 FAILED', 'createOrder compensate #1 SUCCEEDED']);
    expect(await page.locator('[data-testid="timeline"] tr[data-step="charge"]').textContent()).toContain('CARD_DECLINED: card declined by the issuer');
    const reason = await page.locator('[data-testid="saga-reason"]').textContent();
    expect(reason).toContain('Compensated because a step failed');
    expect(reason).toContain('charge');
    expect(reason).toContain('card declined by the issuer');
    expect(await page.locator('.saga-head .badge').textContent()).toBe('COMPENSATED');
    expect(await page.locator('[data-testid="history"] tr[data-event="SagaStarted"] .actor').textContent()).toBe(`api-key:${KEYS.operator.name}`);
    expect(await page.locator('[data-testid="history"] tr[data-event="StepReplied"] .actor').first().textContent()).toBe('participant:createOrder');
    // A finished saga offers no action.
    expect(await page.locator('[data-testid="saga-actions"]').count()).toBe(0);
    // Its trace id, the one the API gives (every saga has a trace).
    const traceId = (await api.as('viewer').get(`/v1/sagas/${sagas['order-1003']}`).expect(200)).body.traceId as string;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(await page.locator('[data-field="traceId"]').textContent()).toBe(traceId);
    await shot(page, 'saga');
    await page.close();
  });

  it('offers a viewer key no action on a running saga, where an operator key gets its buttons', async () => {
    const held = sagas['order-1005'];
    const operator = await signedIn('operator');
    await operator.goto(`${base}/ui/#/sagas/${held}`);
    await operator.locator('[data-testid="timeline"] tr[data-step="charge"][data-outcome="SENT"]').waitFor();
    await operator.getByRole('button', { name: 'Cancel saga…' }).waitFor();
    await operator.close();

    const viewer = await signedIn('viewer');
    await viewer.goto(`${base}/ui/#/sagas/${held}`);
    await viewer.locator('[data-testid="timeline"] tr[data-step="charge"][data-outcome="SENT"]').waitFor();
    expect(await viewer.locator('[data-testid="saga-actions"]').count()).toBe(0);
    expect(await viewer.getByRole('button', { name: /cancel|retry|resume|override/i }).count()).toBe(0);
    // Nor a bulk retry on the needs-attention page.
    await viewer.goto(`${base}/ui/#/attention`);
    await viewer.locator(`section.group tr[data-saga-id="${sagas['order-1004']}"]`).waitFor();
    expect(await viewer.getByRole('button', { name: /^Retry/ }).count()).toBe(0);
    await viewer.close();
  });

  it('cancels a running saga after a confirmation with a reason, and shows it compensated', async () => {
    const held = sagas['order-1005'];
    const page = await signedIn('operator');
    await page.goto(`${base}/ui/#/sagas/${held}`);
    await page.getByRole('button', { name: 'Cancel saga…' }).click();
    const dialog = page.getByRole('dialog');
    // No reason, no cancel.
    expect(await dialog.getByRole('button', { name: 'Cancel saga' }).isDisabled()).toBe(true);
    await dialog.locator('textarea[name="reason"]').fill('customer called to cancel, ticket OPS-7');
    await shot(page, 'cancel', false);
    await dialog.getByRole('button', { name: 'Cancel saga' }).click();
    await dialog.getByRole('status').filter({ hasText: 'COMPENSATING' }).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();

    // The charge in flight is awaited: the payment service answers late, then everything done is undone.
    const charge = api.h.participants.commandsOf(held).find((c) => c.step === 'charge' && c.action === 'execute')!;
    await api.h.participants.sendRaw(JSON.stringify(api.h.participants.reply(charge, { outcome: 'success', output: { ref: 'late-charge' } })), held);
    await page.locator('.saga-head .badge', { hasText: 'COMPENSATED' }).waitFor();
    await page.locator('[data-testid="timeline"] tr[data-step="createOrder"][data-action="compensate"][data-outcome="SUCCEEDED"]').waitFor();
    expect(await timelineRows(page)).toEqual([
      'createOrder execute #1 SUCCEEDED',
      'charge execute #1 SUCCEEDED',
      'charge compensate #1 SUCCEEDED',
      'createOrder compensate #1 SUCCEEDED',
    ]);
    expect(await page.locator('[data-testid="saga-reason"]').textContent()).toContain('customer called to cancel, ticket OPS-7');
    expect(await page.locator('[data-testid="history"] tr[data-event="CancelRequested"] .actor').textContent()).toBe(`api-key:${KEYS.operator.name}`);
    expect(await page.getByRole('button', { name: 'Cancel saga…' }).count()).toBe(0);
    expect(await sagaStatus(api.h.pool, held)).toBe('COMPENSATED');
    await page.close();
  });

  it('groups FAILED sagas by reason and retries them in bulk: a dry run first, then applied', async () => {
    const stuck = sagas['order-1004'];
    const page = await signedIn('operator');
    await page.locator('nav a', { hasText: 'Needs attention' }).click();
    const group = page.locator('section.group[data-reason="COMPENSATION_ATTEMPTS_EXHAUSTED"]');
    await group.locator(`tr[data-saga-id="${stuck}"]`).waitFor();
    expect(await page.locator('section.group').count()).toBe(1);
    expect(await group.textContent()).toContain('payment provider unavailable');
    await shot(page, 'attention');

    refundsWork = true;
    await group.getByRole('button', { name: 'Retry it…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('textarea[name="reason"]').fill('payment provider is back, INC-42');
    await dialog.getByRole('button', { name: 'Dry run' }).click();
    await dialog.locator('[data-testid="bulk-dry-run"]', { hasText: '1 would be retried' }).waitFor();
    expect(await sagaStatus(api.h.pool, stuck)).toBe('FAILED');
    await dialog.getByRole('button', { name: 'Apply to 1' }).click();
    await dialog.locator('[data-testid="bulk-applied"]', { hasText: '1 retried' }).waitFor();
    expect(await waitForSagaStatus(api.h.pool, stuck, ['COMPENSATED'])).toBe('COMPENSATED');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.locator('.notice', { hasText: 'No saga needs an operator' }).waitFor();
    const history = await api.h.pool.query<{ actor: string }>("select actor from saga_history where saga_id = $1 and event_type = 'RetryRequested'", [stuck]);
    expect(history.rows).toEqual([{ actor: `api-key:${KEYS.operator.name}` }]);
    await page.close();
  });

  it('shows participants and dead letters, or says this coordinator does not have them yet', async () => {
    const page = await signedIn('viewer');
    for (const [tab, path, what] of [
      ['Participants', '/v1/participants', 'participants view'],
      ['Dead letters', '/v1/dead-letters?limit=50', 'dead-letter view'],
    ] as const) {
      await page.locator('nav a', { hasText: tab }).click();
      const answer = await api.as('viewer').get(path);
      if (answer.status === 404) {
        await page.locator('.notice', { hasText: `The ${what}` }).filter({ hasText: 'not available in this version' }).waitFor();
      } else {
        expect(answer.status).toBe(200);
        await page.locator('table.grid').waitFor();
        expect(await page.locator('.notice', { hasText: 'not available' }).count()).toBe(0);
      }
    }
    await page.close();
    // The real participants, as Kafka sees them; an operator may open a breaker that was never opened.
    const operator = await signedIn('operator');
    await operator.locator('nav a', { hasText: 'Participants' }).click();
    const orders = operator.locator('tr[data-participant="orders"]');
    await orders.waitFor();
    expect(await orders.textContent()).toContain(`${api.h.prefix}.commands.orders`);
    await orders.getByRole('button', { name: 'Open…' }).waitFor();
    await shot(operator, 'participants');
    await operator.close();
  });

  // States a small test coordinator rarely reaches (a slow participant, an open breaker, a
  // dead letter of every field) are answered by the browser here in the API's shapes, so the
  // pages that render them are checked too; the test above checks them against real data.
  it('renders participants with breaker controls, dead letters and a trace id in the shapes announced for them', async () => {
    const page = await signedIn('operator');
    const breakerCalls: { url: string; body: unknown }[] = [];
    const since = new Date(Date.now() - 90_000).toISOString();
    await page.route('**/v1/participants', (route) =>
      route.fulfill({
        json: {
          items: [
            { name: 'payments', commandTopic: 'saga.commands.payments', commandsSent: 120, repliesReceived: 118, lastReplyAt: since, attemptsTimedOutRecently: 2, consumerGroup: { groupId: 'payments', members: 2, lag: 0 }, status: 'slow', breaker: { state: 'closed', since, reason: null, by: null } },
            { name: 'stock', commandTopic: 'saga.commands.stock', commandsSent: 40, repliesReceived: 12, lastReplyAt: null, attemptsTimedOutRecently: 9, consumerGroup: { groupId: 'stock', members: 0, lag: 28 }, status: 'not-consuming', breaker: { state: 'open', since, reason: 'stock service down, INC-9', by: 'ops-alice' } },
          ],
        },
      }),
    );
    await page.route('**/v1/participants/*/breaker/*', (route) => {
      breakerCalls.push({ url: new URL(route.request().url()).pathname, body: route.request().postDataJSON() });
      return route.fulfill({ json: {} });
    });
    await page.locator('nav a', { hasText: 'Participants' }).click();
    const stock = page.locator('tr[data-participant="stock"]');
    await stock.waitFor();
    expect(await stock.locator('.badge').first().textContent()).toBe('not-consuming');
    expect(await stock.textContent()).toContain('stock service down, INC-9');
    expect(await page.locator('tr[data-participant="payments"]').textContent()).toContain('2 members · lag 0');
    await page.screenshot({ path: join(__dirname, '..', '..', '..', '.local', 'screenshots', 'dashboard-participants-contract.png'), fullPage: true });
    await stock.getByRole('button', { name: 'Close…' }).click();
    await page.getByRole('dialog').locator('textarea[name="reason"]').fill('stock service is back');
    await page.getByRole('dialog').getByRole('button', { name: 'Close breaker' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect(breakerCalls).toEqual([{ url: '/v1/participants/stock/breaker/close', body: { reason: 'stock service is back' } }]);

    await page.route('**/v1/dead-letters?*', (route) =>
      route.fulfill({
        json: { items: [{ id: 'dl-1', deadLetteredAt: since, reasonCode: 'MALFORMED_MESSAGE', reason: 'not JSON', by: 'coordinator', source: { topic: 'saga.replies', partition: 1, offset: '42' }, key: 'k-1', value: '{oops' }] },
      }),
    );
    await page.locator('nav a', { hasText: 'Dead letters' }).click();
    const letter = page.locator('table.dead-letters tbody tr').first();
    await letter.waitFor();
    expect(await letter.textContent()).toContain('MALFORMED_MESSAGE');
    expect(await letter.textContent()).toContain('saga.replies [1] @42');
    expect(await letter.textContent()).toContain('{oops');

    const sagaId = sagas['order-1001'];
    await page.route(`**/v1/sagas/${sagaId}`, async (route) => {
      const real = await route.fetch();
      return route.fulfill({ response: real, json: { ...(await real.json()), traceId: '4bf92f3577b34da6a3ce929d0e0e4736' } });
    });
    await page.goto(`${base}/ui/#/sagas/${sagaId}`);
    expect(await page.locator('[data-field="traceId"]').textContent()).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    await page.close();
  });
});

function planOf(cmd: CommandMessage): Plan {
  const payload = cmd.payload as { plan?: Plan; input?: { plan?: Plan } };
  return payload.plan ?? payload.input?.plan ?? 'ok';
}
