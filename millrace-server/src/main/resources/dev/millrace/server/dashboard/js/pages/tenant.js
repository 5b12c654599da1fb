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

/** A route's answer, or null when this server does not have the route (404). */
async function optional(call) {
  try {
    return await call;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

/** The governor limits of one execution, synchronous and asynchronous side by side, each with its unit. */
function limitsCard(limits) {
  const names = Object.keys(limits.async ?? limits.sync ?? {});
  const cell = (p, k) => (p?.[k] ? withUnit(p[k].budget, p[k].unit) : '—');
  return h('section.card.flush#tenant-limits',
    h('div.card-head', h('h2.card-title', 'Governor limits', h('span.card-sub', 'per execution')),
      h('span.muted.small', 'an execution that goes past one fails with a LimitException')),
    h('table.table',
      h('thead', h('tr', h('th', 'Limit'), h('th.num', 'Synchronous'), h('th.num', 'Asynchronous'))),
      h('tbody', names.map(k => {
        const any = limits.async?.[k] ?? limits.sync?.[k];
        const name = any.label ?? label(k);
        return h('tr', { dataset: { limit: k } },
          h('td', name.charAt(0).toUpperCase() + name.slice(1)),
          h('td.num', cell(limits.sync, k)),
          h('td.num', h('strong', cell(limits.async, k))));
      }))));
}

/** What the tenant uses now of each per-tenant allowance, as meters, plus its channels and subscriptions. */
function usageCard(limits) {
  const u = limits.usage;
  const a = limits.allowances ?? {};
  const rows = [
    ['Async executions, rolling 24 h', u.asyncExecutions, a.dailyAsyncExecutions],
    ['Active batches', u.activeBatches, a.maxActiveBatches],
    ['Flex queue', u.flexQueue, a.flexQueueCapacity],
    ['Schedules', u.schedules, a.maxSchedules],
    ['External event deliveries, rolling 24 h', u.externalDeliveries, a.externalDeliveriesPer24h],
  ];
  return h('section.card#tenant-usage',
    h('div.card-head.plain', h('h2.card-title', 'Usage', h('span.card-sub', 'of the allowances, now')),
      h('span.muted.small', `${num(u.channels)} channel${u.channels === 1 ? '' : 's'}, ${num(u.subscriptions)} subscription${u.subscriptions === 1 ? '' : 's'}`)),
    h('div.stack-col', rows.map(([name, used, of]) => {
      const full = of ? used / of : 0;
      return h('div.meter-row', { dataset: { usage: name } },
        h('span.small', name),
        h('div.meter', h('span', { class: full >= 1 ? 'bad' : full >= 0.8 ? 'warn' : 'ok', style: `width:${Math.min(100, Math.round(100 * full))}%` })),
        h('span.small', `${num(used)} / ${num(of)}`));
    })));
}

/** 100 (a count), 10 s (ms), 12 MiB (bytes). */
function withUnit(v, unit) {
  if (unit === 'ms') return v % 1000 === 0 ? `${num(v / 1000)} s` : `${num(v)} ms`;
  if (unit === 'bytes') return v % 1048576 === 0 ? `${num(v / 1048576)} MiB` : `${num(v)} bytes`;
  return unit ? `${num(v)} ${unit}` : num(v);
}

/** The tenant's flags at a glance; they are switched on the Feature flags page. */
function flagsCard(id, flags) {
  const open = () => { session.tenant = id; const s = document.getElementById('tenant'); if (s) s.value = id; location.hash = '#/flags'; };
  return h('section.card#tenant-flags',
    h('div.card-head.plain', h('h2.card-title', 'Feature flags'), h('a', { href: '#/flags', onclick: e => { e.preventDefault(); open(); } }, 'Switch them →')),
    flags.length === 0 ? h('p.muted', 'No flag is set for this tenant; a flag never set reads off.')
      : h('div.flag-chips', flags.map(f => h(`span.pill.${f.enabled ? 'ok' : 'idle'}`, { dataset: { flag: f.name } },
        h('span.mono', f.name), ` · ${f.enabled ? 'on' : 'off'}`))));
}

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
      // Limits and flags are tenant routes: the admin asks for this tenant with the Millrace-Tenant header.
      const [ov, limits, flags] = await Promise.all([api('overview'), optional(api('limits', { scoped: true, tenant: id })),
        optional(api('flags', { scoped: true, tenant: id }))]);
      const overview = normalize(ov);
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
            ]))),
        limits?.usage ? usageCard(limits) : null,
        limits ? limitsCard(limits) : null,
        flags ? flagsCard(id, flags.items ?? []) : null);
    };
    await load();
    return { refresh: load };
  },
};
