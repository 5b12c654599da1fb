// Tenants (admin key): every tenant with its main limits and its queue; a row opens the tenant.
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { num } from '../format.js';
import { normalize } from './overview.js';

/** The policy numbers the list shows; the tenant page shows them all. */
const COLUMNS = [
  ['dailyAsyncExecutions', 'Daily async executions'],
  ['maxActiveBatches', 'Active batches'],
  ['flexQueueCapacity', 'Flex queue'],
  ['maxSchedules', 'Schedules'],
];

export default {
  id: 'tenants',
  title: 'Tenants',
  path: '/tenants',
  role: 'admin',
  async render(el) {
    const body = h('tbody');
    const count = h('span.muted.small');
    mount(el, h('section.card.flush',
      h('div.card-head', h('h2.card-title', 'Tenants', h('span.card-sub', 'and their policy')), count),
      h('table.table#tenants-table',
        h('thead', h('tr', h('th', 'Tenant'), COLUMNS.map(([, n]) => h('th.num', n)),
          h('th.num', 'Queue depth'), h('th.num', 'Running'), h('th.num', 'Jobs stored'), h('th.num', 'Failed'))),
        body)));
    const load = async () => {
      const [list, overview] = await Promise.all([api('tenants'), api('overview')]);
      const figures = Object.fromEntries(normalize(overview).tenants.map(t => [t.id, t]));
      const items = list.items ?? list;
      count.textContent = `${num(items.length)} tenant${items.length === 1 ? '' : 's'}`;
      mount(body, items.length === 0
        ? h('tr', h('td.empty', { colspan: COLUMNS.length + 5 }, 'No tenants yet.'))
        : items.map(t => {
          const id = t.id ?? t.tenant;
          const policy = t.policy ?? {};
          const f = figures[id];
          return h('tr.clickable', { dataset: { tenant: id }, onclick: () => { location.hash = `#/tenants/${encodeURIComponent(id)}`; } },
            h('td', h('a', { href: `#/tenants/${encodeURIComponent(id)}` }, h('strong', id))),
            COLUMNS.map(([k]) => h('td.num', num(policy[k]))),
            h('td.num', f ? num(f.queueDepth) : '0'),
            h('td.num', f ? num(f.counts.PROCESSING + f.counts.PREPARING) : '0'),
            h('td.num', f ? num(Object.values(f.counts).reduce((a, n) => a + n, 0)) : '0'),
            h('td.num', { class: f?.counts.FAILED ? 'bad' : null }, f ? num(f.counts.FAILED) : '0'));
        }));
    };
    await load();
    return { refresh: load };
  },
};
