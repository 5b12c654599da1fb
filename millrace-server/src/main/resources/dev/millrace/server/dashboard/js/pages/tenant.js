// One tenant (admin key): its policy with units, its jobs by status, and a shortcut to act as it.
import { api, ApiError, session } from '../api.js';
import { h, mount } from '../dom.js';
import { STATUSES, label, num, statusBadge } from '../format.js';
import { stackedBar } from '../chart.js';
import { card, facts } from './common.js';
import { normalize } from './overview.js';

/** Every TenantPolicy number, with its unit, in the order an operator reads them. */
const POLICY = [
  ['dailyAsyncExecutions', 'Async executions per rolling 24 h', 'execution|executions'],
  ['maxActiveBatches', 'Batches running at once', 'batch|batches'],
  ['flexQueueCapacity', 'Flex queue capacity', 'batch|batches'],
  ['maxSchedules', 'Schedules', 'schedule|schedules'],
  ['defaultMaxStackDepth', 'Default maximum chain depth', 'job|jobs', v => (v === 0 ? 'unlimited' : null)],
  ['enqueuePerSyncExecution', 'Enqueues per synchronous execution', 'job|jobs'],
  ['enqueuePerAsyncExecution', 'Enqueues per async execution', 'job|jobs'],
  ['futuresPerExecution', 'Futures per execution', 'call|calls'],
  ['finalizerMaxConsecutiveRetries', 'Consecutive finalizer retries', 'retry|retries'],
  ['defaultDelayMinutes', 'Default delay', 'min'],
  ['maxDelayMinutes', 'Maximum delay', 'min'],
  ['jobRetentionDays', 'Terminal jobs kept for', 'day|days'],
];

export default {
  id: 'tenant',
  parent: 'tenants',
  title: 'Tenant',
  path: '/tenants/:id',
  role: 'admin',
  async render(el, ctx) {
    const id = ctx.params.id;
    const load = async () => {
      let tenant;
      try {
        tenant = await api(`tenants/${encodeURIComponent(id)}`);
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) {
          mount(el, h('a.back', { href: '#/tenants' }, '← All tenants'), h('div.empty', `There is no tenant ${id}.`));
          return;
        }
        throw e;
      }
      const overview = normalize(await api('overview'));
      const figures = overview.tenants.find(t => t.id === id) ?? { counts: {}, queueDepth: 0 };
      const policy = tenant.policy ?? {};
      ctx.setTitle(`Tenant ${id}`);
      mount(el,
        h('a.back', { href: '#/tenants' }, '← All tenants'),
        h('div.page-head',
          h('div', h('div.eyebrow', 'Tenant'), h('h2.job-title#tenant-id', id)),
          h('div.actions', h('button.btn.primary#act-as', {
            onclick: () => { session.tenant = id; const s = document.getElementById('tenant'); if (s) s.value = id; location.hash = '#/jobs'; },
          }, 'Show its jobs'))),
        h('div.grid-2',
          card('Policy', h('dl.facts#tenant-policy', POLICY.filter(([k]) => policy[k] !== undefined).map(([k, name, unit, special]) =>
            [h('dt', name), h('dd', { dataset: { key: k } }, special?.(policy[k]) ?? `${num(policy[k])} ${unit.split('|')[policy[k] === 1 ? 0 : 1] ?? unit}`)]))),
          card('Jobs by status',
            stackedBar(STATUSES.map(s => ({ name: label(s), value: figures.counts[s] ?? 0, cls: `s-${s.toLowerCase()}` }))),
            h('div', { style: 'height:12px' }),
            facts([
              ...STATUSES.map(s => [statusBadge(s), num(figures.counts[s] ?? 0)]),
              ['Queue depth', h('strong', num(figures.queueDepth))],
            ]))));
    };
    await load();
    return { refresh: load };
  },
};
