// One job: its record, its log, and abort while it is still active.
import { api, ApiError, query } from '../api.js';
import { h, mount } from '../dom.js';
import { ABORTABLE, clock, duration, num, statusBadge, time } from '../format.js';
import { card, facts, problemView } from './common.js';

export default {
  id: 'job',
  parent: 'jobs',
  title: 'Job',
  path: '/jobs/:id',
  async render(el, ctx) {
    const id = ctx.params.id;
    const path = `jobs/${encodeURIComponent(id)}`;
    const head = h('div.page-head');
    const details = h('div');
    const logBody = h('tbody');
    const logCount = h('span.muted.small');
    const notice = h('div.notice');
    const children = h('div');
    const timeline = h('div#job-timeline');
    let job = null;
    let confirming = false;

    mount(el,
      h('a.back', { href: '#/jobs' }, '← All jobs'),
      head, notice,
      h('div.grid-2', details,
        h('div.stack-col', card('Timeline', timeline), children)),
      h('section.card.flush',
        h('div.card-head', h('h2.card-title', 'Log'), logCount),
        h('table.table.log#job-log',
          h('thead', h('tr', h('th', { style: 'width:130px' }, 'Time'), h('th', { style: 'width:80px' }, 'Level'), h('th', 'Message'))),
          logBody)));

    function renderHead() {
      const actions = h('div.actions');
      if (ABORTABLE.includes(job.status)) {
        if (confirming) {
          actions.append(h('span.confirm-text', 'Abort this job?'),
            h('button.btn.danger#confirm-abort', { onclick: abort }, 'Yes, abort'),
            h('button.btn#cancel-abort', { onclick: () => { confirming = false; renderHead(); } }, 'Keep it'));
        } else {
          actions.append(h('button.btn.danger-outline#abort', { onclick: () => { confirming = true; renderHead(); } }, 'Abort'));
        }
      }
      mount(head,
        h('div', h('div.eyebrow', job.type), h('h2.job-title.mono', job.id), h('div.head-status#job-status', statusBadge(job.status))),
        actions);
      ctx.setTitle(`Job …${job.id.slice(-12)}`);
    }

    async function abort() {
      try {
        await api(`${path}/abort`, { method: 'POST', scoped: true });
        mount(notice, h('div.alert.ok', 'Abort requested.'));
      } catch (e) {
        mount(notice, problemView(e));
      }
      confirming = false;
      await load();
    }

    async function load() {
      try {
        job = await api(path, { scoped: true });
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) {
          mount(el, h('a.back', { href: '#/jobs' }, '← All jobs'),
            h('div.empty', `No job ${id} for this tenant.`));
          return;
        }
        throw e;
      }
      const [log, kids] = await Promise.all([
        api(`${path}/log`, { scoped: true }),
        api(`jobs${query({ parent: job.id, limit: 20 })}`, { scoped: true }),
      ]);
      // Jobs it enqueued: its chained child, its finalizer, its futures.
      mount(children, kids.items.length === 0 ? null : h('section.card.flush#job-children',
        h('div.card-head', h('h2.card-title', 'Enqueued by this job'),
          h('a.small', { href: `#/jobs?parent=${encodeURIComponent(job.id)}` }, kids.next ? 'All' : '')),
        h('table.table', h('tbody', kids.items.map(k => h('tr.clickable', {
          dataset: { job: k.id }, onclick: () => { location.hash = `#/jobs/${encodeURIComponent(k.id)}`; },
        }, h('td', h('a.mono.id', { href: `#/jobs/${encodeURIComponent(k.id)}` }, k.id)),
        h('td', h('span.tag', k.type)), h('td', statusBadge(k.status))))))));
      renderHead();
      const waited = job.startedAt ? new Date(job.startedAt) - new Date(job.runAt || job.createdAt) : null;
      const ran = job.startedAt && job.completedAt ? new Date(job.completedAt) - new Date(job.startedAt) : null;
      mount(details, card('Details', facts([
        ['Tenant', job.tenant],
        ['Class', h('span.mono.wrap', job.className)],
        job.methodName ? ['Method', h('span.mono', job.methodName)] : null,
        ['Status detail', job.extendedStatus],
        ['Errors', num(job.numberOfErrors)],
        ['Items', `${num(job.jobItemsProcessed)} of ${num(job.totalJobItems)}`],
        ['Parent job', job.parentJobId ? h('a.mono', { href: `#/jobs/${job.parentJobId}` }, job.parentJobId) : null],
        ['Chain depth', job.maxStackDepth ? `${job.stackDepth} of ${job.maxStackDepth}` : `${job.stackDepth} (no maximum)`],
        ['Attempt', num(job.attempt)],
        ['Node', job.node],
      ])));
      mount(timeline, facts([
        ['Created', time(job.createdAt)],
        ['Earliest start', time(job.runAt)],
        ['Started', time(job.startedAt)],
        ['Ended', time(job.completedAt)],
        ['Waited', waited === null ? '—' : duration(waited)],
        ['Ran', ran === null ? '—' : duration(ran)],
      ]));
      const items = log.items ?? [];
      logCount.textContent = `${num(items.length)} line${items.length === 1 ? '' : 's'}`;
      mount(logBody, items.length === 0
        ? h('tr', h('td.empty', { colspan: 3 }, 'This job has logged nothing.'))
        : items.map(e => h('tr', { class: `lvl-${String(e.level).toLowerCase()}` },
          h('td.nowrap.mono', { title: time(e.time) }, clock(e.time)),
          h('td', h(`span.level.l-${String(e.level).toLowerCase()}`, e.level)),
          h('td.message', e.message, e.error ? h('pre.error-text', errorText(e.error)) : null))));
    }

    await load();
    return { refresh: load };
  },
};

function errorText(err) {
  if (typeof err === 'string') return err;
  const head = [err.type ?? err.className, err.message].filter(Boolean).join(': ');
  return err.stackTrace || head || JSON.stringify(err);
}
