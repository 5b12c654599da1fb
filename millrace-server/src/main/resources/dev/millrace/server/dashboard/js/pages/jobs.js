// Jobs: filter by status and type, keyset paging, a row opens the job.
import { api, query, session } from '../api.js';
import { h, mount } from '../dom.js';
import { STATUSES, TYPES, num, runTime, shortClass, shortTime, statusBadge, time } from '../format.js';
import { needTenant } from './common.js';

const PAGE_SIZES = [25, 50, 100];

export default {
  id: 'jobs',
  title: 'Jobs',
  path: '/jobs',
  async render(el, ctx) {
    if (!session.tenant && session.role === 'admin') return needTenant(el);
    const q = ctx.query;
    const state = {
      status: q.get('status') || '', type: q.get('type') || '', parent: q.get('parent') || '',
      limit: PAGE_SIZES.includes(+q.get('limit')) ? +q.get('limit') : 25,
      cursors: [null],   // the 'after' of each page seen so far; the last is the page shown
      next: null,
    };

    const select = (id, label, values, value, all) => h('label.field.inline', h('span', label),
      h(`select#${id}`, { onchange: e => { const k = id.replace('filter-', ''); state[k] = k === 'limit' ? +e.target.value : e.target.value; reset(); } },
        all ? h('option', { value: '' }, all) : null,
        values.map(v => h('option', { value: v, selected: String(v) === String(value) }, v))));

    const body = h('tbody');
    const pageInfo = h('span.muted#page-info');
    const prev = h('button.btn#prev', { onclick: () => { state.cursors.pop(); load(); } }, '← Newer');
    const next = h('button.btn#next', { onclick: () => { state.cursors.push(state.next); load(); } }, 'Older →');

    mount(el,
      h('div.toolbar',
        select('filter-status', 'Status', STATUSES, state.status, 'Any status'),
        select('filter-type', 'Type', TYPES, state.type, 'Any type'),
        select('filter-limit', 'Per page', PAGE_SIZES, state.limit),
        state.parent ? h('span.chip', 'Enqueued by ', h('span.mono', state.parent.slice(-12)),
          h('button.chip-x', { title: 'Show every job', onclick: () => { state.parent = ''; reset(); chipOff(); } }, '×')) : null),
      h('div.card.flush',
        h('table.table#jobs-table',
          h('thead', h('tr', ['Job', 'Type', 'Class', 'Status', 'Created', 'Started', 'Run time', 'Attempt']
            .map((c, i) => h('th', { class: i >= 6 ? 'num' : null }, c)))),
          body),
        h('div.pager', pageInfo, h('div.pager-buttons', prev, next))));

    function chipOff() { el.querySelector('.chip')?.remove(); }

    function reset() {
      state.cursors = [null];
      const p = new URLSearchParams();
      if (state.status) p.set('status', state.status);
      if (state.type) p.set('type', state.type);
      if (state.parent) p.set('parent', state.parent);
      if (state.limit !== 25) p.set('limit', state.limit);
      ctx.setQuery(p);
      return load();
    }

    async function load() {
      const after = state.cursors[state.cursors.length - 1];
      const page = await api('jobs' + query({
        status: state.status, type: state.type, parent: state.parent, limit: state.limit, after }),
        { scoped: true });
      state.next = page.next;
      mount(body, page.items.length === 0
        ? h('tr', h('td.empty', { colspan: 8 }, state.status || state.type || state.parent ? 'No jobs match these filters.' : 'No jobs yet.'))
        : page.items.map(row));
      const n = state.cursors.length;
      pageInfo.textContent = page.items.length === 0 ? '' :
        `Page ${n} · ${num(page.items.length)} job${page.items.length === 1 ? '' : 's'}${page.next ? '' : ' · last page'}`;
      prev.disabled = n <= 1;
      next.disabled = !page.next;
    }

    await load();
    return { refresh: load };
  },
};

function row(job) {
  const open = () => { location.hash = `#/jobs/${encodeURIComponent(job.id)}`; };
  return h('tr.clickable', { onclick: open, dataset: { job: job.id, status: job.status } },
    // The whole id: ids are UUIDv7, so jobs created together share their first digits.
    h('td.nowrap', h('a.mono.id', { href: `#/jobs/${encodeURIComponent(job.id)}` }, job.id)),
    h('td', h('span.tag', job.type)),
    h('td', { title: job.className + (job.methodName ? '.' + job.methodName : '') },
      shortClass(job.className) + (job.methodName ? `.${job.methodName}` : '')),
    h('td', statusBadge(job.status)),
    h('td.nowrap', { title: time(job.createdAt) }, shortTime(job.createdAt)),
    h('td.nowrap', { title: time(job.startedAt) }, shortTime(job.startedAt)),
    h('td.num', runTime(job)),
    h('td.num', job.attempt));
}
