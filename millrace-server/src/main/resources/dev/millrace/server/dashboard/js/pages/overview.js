// Overview: throughput over the last hour, queue depth, jobs by status per tenant, nodes and their governor.
// An admin key reads GET /overview (every tenant); a tenant key reads GET /stats (its own tenant).
import { api, session } from '../api.js';
import { h, mount } from '../dom.js';
import { lineChart, stackedBar } from '../chart.js';
import { STATUSES, ago, duration, label, num } from '../format.js';
import { card } from './common.js';

const ACTIVE = ['HOLDING', 'QUEUED', 'PREPARING', 'PROCESSING'];

export default {
  id: 'overview',
  title: 'Overview',
  path: '/overview',
  async render(el) {
    const load = async () => {
      const data = session.role === 'admin' ? await api('overview') : await api('stats');
      draw(el, normalize(data));
    };
    await load();
    return { refresh: load };
  },
};

/** The server's overview (or a tenant's stats) as the page draws it. */
export function normalize(d) {
  const tenantRows = d.tenants ?? (d.tenant ? [d] : []);
  const tenants = tenantRows.map(t => {
    const counts = {};
    const byStatus = t.byStatus ?? t.jobsByStatus ?? t.counts ?? {};
    for (const s of STATUSES) counts[s] = Number(byStatus[s] ?? 0);
    return { id: t.tenant ?? t.id, counts, queueDepth: Number(t.queueDepth ?? counts.QUEUED) };
  });
  const perMinute = d.throughput ?? d.throughputPerMinute ?? [];
  const completed = [], failed = [], aborted = [];
  for (const p of perMinute) {
    const t = new Date(p.minute ?? p.time).getTime();
    completed.push([t, Number(p.completed ?? 0)]);
    failed.push([t, Number(p.failed ?? 0)]);
    aborted.push([t, Number(p.aborted ?? 0)]);
  }
  const queueDepth = d.queueDepth ?? tenants.reduce((a, t) => a + t.queueDepth, 0);
  return { tenants, completed, failed, aborted, queueDepth, nodes: d.nodes ?? null };
}

function draw(el, o) {
  const sum = pts => pts.reduce((a, p) => a + p[1], 0);
  const running = o.tenants.reduce((a, t) => a + t.counts.PROCESSING + t.counts.PREPARING, 0);
  const last = pts => (pts.length ? pts[pts.length - 1][1] : 0);
  const lastMinute = last(o.completed) + last(o.failed) + last(o.aborted);
  const stat = (id, name, value, unit) => h(`div.stat#${id}`, h('div.stat-label', name),
    h('div.stat-value', num(value), unit ? h('span.stat-unit', unit) : null));

  mount(el,
    h('div.stats',
      stat('stat-queue', 'Queue depth', o.queueDepth, 'jobs'),
      stat('stat-running', 'Running now', running, 'jobs'),
      stat('stat-completed', 'Completed, last hour', sum(o.completed), 'jobs'),
      stat('stat-failed', 'Failed, last hour', sum(o.failed), 'jobs'),
      stat('stat-rate', 'Throughput, last minute', lastMinute, 'jobs/min')),
    h(o.nodes ? 'div.grid-main' : 'div',
      h('section.card#throughput',
        h('h2.card-title', 'Throughput', h('span.card-sub', 'jobs ended per minute, last hour')),
        lineChart({
          title: 'Jobs ended per minute over the last hour',
          yUnit: 'jobs / min',
          series: [
            { name: 'Completed', color: '#16a34a', points: o.completed },
            { name: 'Failed', color: '#dc2626', points: o.failed },
            { name: 'Aborted', color: '#d97706', points: o.aborted },
          ],
        })),
      // Nodes are the operator's business: only the admin overview lists them.
      o.nodes ? nodesCard(o.nodes) : null),
    tenantsCard(o.tenants));
}

function tenantsCard(tenants) {
  const cols = STATUSES;
  return h('section.card.flush#by-tenant',
    h('div.card-head', h('h2.card-title', 'Jobs by status', h('span.card-sub', 'per tenant')),
      h('span.muted.small', `${num(tenants.length)} tenant${tenants.length === 1 ? '' : 's'}`)),
    tenants.length === 0 ? h('div.empty', 'No tenants yet.') :
      h('table.table',
        h('thead', h('tr', h('th', 'Tenant'), h('th', { style: 'width:22%' }, 'Distribution'),
          cols.map(s => h('th.num', label(s))), h('th.num', 'Queue depth'))),
        h('tbody', tenants.map(t => h('tr', { dataset: { tenant: t.id } },
          h('td', session.role === 'admin' ? h('a', { href: `#/tenants/${encodeURIComponent(t.id)}` }, t.id) : t.id),
          h('td', stackedBar(cols.map(s => ({ name: label(s), value: t.counts[s], cls: `s-${s.toLowerCase()}` })),
            { label: `jobs of ${t.id} by status` })),
          cols.map(s => h('td.num', { class: ACTIVE.includes(s) || !t.counts[s] ? null : 'muted' }, num(t.counts[s]))),
          h('td.num', h('strong', num(t.queueDepth))))))),
    h('div.key', cols.map(s => h('span', h(`i.stack-part.s-${s.toLowerCase()}`), label(s)))));
}

function nodesCard(nodes) {
  return h('section.card#nodes',
    h('h2.card-title', 'Nodes', nodes.some(n => n.governor) ? h('span.card-sub', 'and their resource governor') : null),
    nodes.length === 0 ? h('p.muted', 'No node has reported.') :
      h('div.node-list', nodes.map(n => {
        const started = n.startedAt ? new Date(n.startedAt).getTime() : null;
        const state = String(n.status ?? n.state ?? 'UNKNOWN');
        const tone = /up|running|ok|active/i.test(state) ? 'ok' : /throttl|degrad|limit/i.test(state) ? 'warn' : 'bad';
        // The governor: NORMAL, THROTTLED (fewer jobs at once) or SUSPENDED (no new job claimed), with why.
        const gov = typeof n.governor === 'string' ? n.governor : null;
        const govTone = gov === 'NORMAL' ? 'ok' : gov === 'THROTTLED' ? 'warn' : 'bad';
        const sample = n.lastSample;
        const held = (n.fairUsage ?? []).filter(f => f.dominating);
        return h('div.node', { dataset: { node: n.id ?? n.node } },
          h('div.node-head', h('span.mono', n.id ?? n.node), h(`span.pill.${tone}`, label(state))),
          h('dl.facts.compact',
            started ? [h('dt', 'Up for'), h('dd', { title: n.startedAt }, duration(Date.now() - started))] : null,
            n.workers !== undefined ? [h('dt', 'Workers'), h('dd', num(n.workers))] : null,
            n.version ? [h('dt', 'Version'), h('dd.mono', n.version)] : null,
            n.lastSeen || n.heartbeatAt ? [h('dt', 'Last seen'), h('dd', ago(n.lastSeen ?? n.heartbeatAt))] : null,
            n.inFlight !== undefined ? [h('dt', 'In flight'), h('dd', `${num(n.inFlight)} job${n.inFlight === 1 ? '' : 's'}`)] : null),
          gov ? h('div.governor#governor', { dataset: { governor: gov } },
            h('div.governor-head', h('span.muted.small', 'Resource governor'), h(`span.pill.${govTone}`, label(gov))),
            n.governorReason ? h('div.small.muted.governor-reason', n.governorReason) : null,
            n.allowedExecutions !== undefined && n.workers ? h('div.meter-row',
              h('span.small.muted', 'May run at once'),
              h('div.meter', h('span', { class: govTone, style: `width:${Math.round(100 * Math.min(n.allowedExecutions, n.workers) / n.workers)}%` })),
              h('span.small', `${num(n.allowedExecutions)} of ${num(n.workers)}`)) : null,
            sample ? meterRow('Heap', sample.heapPercent) : null,
            sample && sample.cpuPercent >= 0 ? meterRow('CPU', sample.cpuPercent) : null,
            held.length ? h('div.small.muted', `Held back: ${held.map(f => `${f.tenant} ${label(f.type).toLowerCase()}`).join(', ')}`) : null) : null);
      })));
}

/** A labelled percentage meter: heap or CPU in use, 0–100 %. */
function meterRow(name, percent) {
  const p = Math.max(0, Math.min(100, Number(percent) || 0));
  return h('div.meter-row', h('span.small.muted', name),
    h('div.meter', h('span', { class: p >= 85 ? 'bad' : p >= 70 ? 'warn' : null, style: `width:${p}%` })),
    h('span.small', `${p.toFixed(0)} %`));
}
