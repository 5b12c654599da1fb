// Tenants (admin key): every tenant with its share of the node's worker time, what it uses of its allowances, and
// its queue; below, fair dispatch per tenant and job type (tier, thread cap, deferrals: SPEC FAIR-7). A row opens
// the tenant.
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { duration, num } from '../format.js';
import { normalize } from './overview.js';

/** Usage figures beside the allowance each counts against; the tenant page shows every policy number. */
const USAGE = [
  ['asyncExecutions', 'dailyAsyncExecutions', 'Async executions, 24 h'],
  ['activeBatches', 'maxActiveBatches', 'Active batches'],
  ['flexQueue', 'flexQueueCapacity', 'Flex queue'],
  ['schedules', 'maxSchedules', 'Schedules'],
];

const pct = x => `${(100 * x).toFixed(x > 0 && x < 0.1 ? 1 : 0)} %`;

/** "12 / 100" with a thin meter that turns amber past 80 % and red when full. */
function usageCell(used, allowance) {
  if (used === undefined) return h('td.num', '—');
  const full = allowance ? used / allowance : 0;
  const tone = full >= 1 ? 'bad' : full >= 0.8 ? 'warn' : 'ok';
  return h('td.num.usage-cell', { title: allowance ? `${pct(full)} of the allowance` : null },
    h('span', h('strong', num(used)), h('span.muted', ` / ${num(allowance)}`)),
    allowance ? h('div.meter', h('span', { class: tone, style: `width:${Math.min(100, Math.round(100 * full))}%` })) : null);
}

/** How far back the page's own "last minute" share looks, from the totals it read on earlier refreshes. */
const RECENT_MS = 60_000;

/**
 * A tenant's share of worker time since the node started, as a bar and a percentage, and under it its share over
 * the last minute (from the totals this page read a minute ago), when the page has been open long enough to know.
 */
function shareCell(share, recent) {
  const s = share?.share ?? 0;
  return h('td', { dataset: { share: s } },
    h('div.share-bar', h('div.meter', h('span', { style: `width:${Math.round(100 * s)}%` })), h('span.small', pct(s))),
    recent === undefined ? null : h('div.muted.small.share-recent', { title: 'share of the worker time spent recently' },
      `last ${recent.secs >= 60 ? 'min' : `${recent.secs} s`}: ${pct(recent.share)}`));
}

export default {
  id: 'tenants',
  title: 'Tenants',
  path: '/tenants',
  role: 'admin',
  async render(el) {
    const body = h('tbody');
    const count = h('span.muted.small');
    const lanesBody = h('tbody');
    const nodeNote = h('span.muted.small#shares-node');
    // Totals read on earlier refreshes, oldest first: their differences give the share over the last minute.
    const history = [];
    mount(el,
      h('section.card.flush',
        h('div.card-head', h('h2.card-title', 'Tenants', h('span.card-sub', 'share of worker time, usage of allowances, queue')), count),
        h('table.table#tenants-table',
          h('thead', h('tr', h('th', 'Tenant'), h('th', { title: 'Share of this node\'s worker time since it started' }, 'Worker time'),
            h('th.num', 'Running'), USAGE.map(([, , n]) => h('th.num', n)),
            h('th.num', 'Queue depth'), h('th.num', 'Failed'))),
          body)),
      h('section.card.flush#fair-lanes',
        h('div.card-head', h('h2.card-title', 'Fair dispatch', h('span.card-sub', 'per tenant and job type on this node')), nodeNote),
        h('table.table',
          h('thead', h('tr', h('th', 'Tenant'), h('th', 'Type'), h('th.num', 'Share'), h('th.num', 'Worker time'),
            h('th.num', 'Started'), h('th.num', 'Running'), h('th.num', { title: 'Claim passes that held the lane back: at its tier\'s thread cap, or waiting for its start rate' }, 'Deferrals'),
            h('th.num', 'Tier'), h('th.num', { title: 'The most workers of this node it may hold for the type at its tier' }, 'Thread cap'), h('th', 'Flow control'))),
          lanesBody)));
    const load = async () => {
      const [list, overview, usage, shares] = await Promise.all([api('tenants'), api('overview'), api('usage'), api('shares')]);
      const figures = Object.fromEntries(normalize(overview).tenants.map(t => [t.id, t]));
      const used = Object.fromEntries((usage.items ?? []).map(u => [u.tenant, u]));
      const share = Object.fromEntries((shares.tenants ?? []).map(s => [s.tenant, s]));
      const now = Date.now();
      const totals = Object.fromEntries((shares.tenants ?? []).map(s => [s.tenant, s.workerSeconds]));
      if (history.length && history[0].node !== shares.node) history.length = 0;   // another node, or restarted
      history.push({ at: now, node: shares.node, totals });
      while (history.length > 2 && now - history[1].at >= RECENT_MS) history.shift();
      const base = history[0];
      // The sum of the tenants' own increases (each total only grows), so the recent shares add up to 100 %.
      const spent = Object.keys(totals).reduce((a, id) => a + Math.max(0, totals[id] - (base.totals[id] ?? 0)), 0);
      const recent = id => (history.length < 2 || spent <= 0 ? undefined
        : { share: Math.max(0, (totals[id] ?? 0) - (base.totals[id] ?? 0)) / spent, secs: Math.round((now - base.at) / 1000) });
      const items = list.items ?? list;
      count.textContent = `${num(items.length)} tenant${items.length === 1 ? '' : 's'}`;
      mount(body, items.length === 0
        ? h('tr', h('td.empty', { colspan: USAGE.length + 5 }, 'No tenants yet.'))
        : items.map(t => {
          const id = t.id ?? t.tenant;
          const policy = t.policy ?? {};
          const f = figures[id];
          const u = used[id];
          return h('tr.clickable', { dataset: { tenant: id }, onclick: () => { location.hash = `#/tenants/${encodeURIComponent(id)}`; } },
            h('td', h('a', { href: `#/tenants/${encodeURIComponent(id)}` }, h('strong', id))),
            shareCell(share[id], recent(id)),
            h('td.num', { title: `of ${num(shares.workers)} workers on this node` }, num(share[id]?.running ?? 0)),
            USAGE.map(([k, a]) => usageCell(u?.usage?.[k], u?.allowances?.[a] ?? policy[a])),
            h('td.num', f ? num(f.queueDepth) : '0'),
            h('td.num', { class: f?.counts.FAILED ? 'bad' : null }, f ? num(f.counts.FAILED) : '0'));
        }));
      const gov = shares.governor ?? 'NORMAL';
      mount(nodeNote, `node ${shares.node} · ${num(shares.workers)} workers · `,
        h(`span.pill.${gov === 'NORMAL' ? 'ok' : gov === 'THROTTLED' ? 'warn' : 'bad'}#shares-governor`,
          { title: shares.governorReason || 'the resource governor lets every worker run' }, gov.toLowerCase()));
      const lanes = (shares.tenants ?? []).flatMap(t => t.lanes.map(l => ({ tenant: t.tenant, ...l })));
      mount(lanesBody, lanes.length === 0
        ? h('tr', h('td.empty', { colspan: 10 }, 'No job has run on this node since it started.'))
        : lanes.map(l => h('tr', { dataset: { lane: `${l.tenant}/${l.type}`, tier: l.tier } },
          h('td', h('strong', l.tenant)),
          h('td', h('span.tag', l.type)),
          h('td.num', pct(l.share)),
          h('td.num', duration(1000 * l.workerSeconds)),
          h('td.num', num(l.started)),
          h('td.num', num(l.running)),
          h('td.num', { class: l.deferrals ? 'warn-text' : 'muted' }, num(l.deferrals)),
          h('td.num', l.tier === 0 ? h('span.muted', 'top') : h('strong', `${l.tier} lower`)),
          h('td.num', num(l.threadCap)),
          h('td', l.dominating ? h('span.pill.warn', 'dominating: claimed behind others') : h('span.muted', '—')))));
    };
    await load();
    return { refresh: load };
  },
};
