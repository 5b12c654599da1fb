// Batches: the tenant's flex queue (holding batches, reordered by dragging a row or with its buttons), its latest
// batches with live progress bars, and for the one picked its chunks and the errors its chunks raised.
import { api, ApiError, query, session } from '../api.js';
import { h, mount } from '../dom.js';
import { stackedBar } from '../chart.js';
import { STATUSES, label, num, shortClass, shortTime, statusBadge, time } from '../format.js';
import { needTenant, problemView } from './common.js';

/** How many of the latest batches the page follows. */
const LATEST = 20;

export default {
  id: 'batches',
  title: 'Batches',
  path: '/batches',
  async render(el, ctx) {
    if (!session.tenant && session.role === 'admin') return needTenant(el);
    let picked = ctx.query.get('batch') || null;
    let dragging = null;   // the flex queue row being dragged: a refresh waits until it is dropped
    const queueList = h('ol.flex-queue#flex-queue');
    const queueCount = h('span.muted.small');
    const body = h('tbody');
    const count = h('span.muted.small');
    const detail = h('div.slot#batch-detail');
    const notice = h('div.notice');

    mount(el, notice,
      h('section.card.flush#flex-queue-card',
        h('div.card-head', h('h2.card-title', 'Flex queue', h('span.card-sub', 'holding batches, front first: drag a row to reorder')), queueCount),
        queueList),
      h('section.card.flush',
        h('div.card-head', h('h2.card-title', 'Batches', h('span.card-sub', `the latest ${LATEST}, newest first`)), count),
        h('table.table#batches-table',
          h('thead', h('tr', h('th', 'Batch'), h('th', 'Class'), h('th', 'Status'), h('th', { style: 'width:28%' }, 'Progress'),
            h('th.num', 'Chunks done'), h('th.num', 'Errors'), h('th', 'Chunks by status'), h('th', 'Created'))),
          body)),
      detail);

    async function load() {
      if (dragging) return;
      const [queue, page] = await Promise.all([
        api('flex-queue', { scoped: true }),
        api('jobs' + query({ type: 'BATCH', limit: LATEST }), { scoped: true }),
      ]);
      const batches = await Promise.all(page.items.map(async j => {
        try {
          return await api(`batches/${encodeURIComponent(j.id)}`, { scoped: true });
        } catch (e) {
          if (e instanceof ApiError && e.status === 404) return null;   // pruned meanwhile
          throw e;
        }
      }));
      drawQueue(queue.items ?? []);
      const shown = batches.filter(Boolean);
      count.textContent = `${num(shown.length)} batch${shown.length === 1 ? '' : 'es'}`;
      mount(body, shown.length === 0 ? h('tr', h('td.empty', { colspan: 8 }, 'No batches yet.')) : shown.map(row));
      if (picked) await drawDetail(shown.find(b => b.job.id === picked));
      else mount(detail);
    }

    function drawQueue(items) {
      queueCount.textContent = `${num(items.length)} holding`;
      if (items.length === 0) { mount(queueList, h('li.empty', 'The flex queue is empty.')); return; }
      mount(queueList, items.map(({ position, job }) => {
        const li = h('li.flex-item', { draggable: 'true', dataset: { batch: job.id, position } },
          h('span.grip', { 'aria-hidden': 'true', title: 'Drag to reorder' }, '⋮⋮'),
          h('span.flex-pos', `#${position + 1}`),
          h('a.mono.id', { href: `#/jobs/${encodeURIComponent(job.id)}`, draggable: 'false' }, job.id),
          h('span.flex-class', shortClass(job.className)),
          h('span.muted.small', { title: time(job.createdAt) }, `since ${shortTime(job.createdAt)}`),
          h('span.row-actions',
            h('button.btn.small-btn.move-front', { disabled: position === 0, title: 'Move to the front', onclick: () => move(job.id, 0) }, 'To front'),
            h('button.btn.small-btn.move-up', { disabled: position === 0, title: 'Move up one', onclick: () => move(job.id, position - 1) }, '↑'),
            h('button.btn.small-btn.move-down', { disabled: position === items.length - 1, title: 'Move down one', onclick: () => move(job.id, position + 1) }, '↓'),
            h('button.btn.small-btn.move-end', { disabled: position === items.length - 1, title: 'Move to the end', onclick: () => move(job.id, { end: true }) }, 'To end')));
        li.addEventListener('dragstart', e => {
          dragging = job.id;
          e.dataTransfer.effectAllowed = 'move';
          e.dataTransfer.setData('text/plain', job.id);
          li.classList.add('dragging');
        });
        li.addEventListener('dragend', () => { li.classList.remove('dragging'); dragging = null; clearMarks(); });
        li.addEventListener('dragover', e => {
          e.preventDefault();
          e.dataTransfer.dropEffect = 'move';
          clearMarks();
          const r = li.getBoundingClientRect();
          li.classList.add(e.clientY < r.top + r.height / 2 ? 'drop-before' : 'drop-after');
        });
        li.addEventListener('dragleave', () => li.classList.remove('drop-before', 'drop-after'));
        li.addEventListener('drop', e => {
          e.preventDefault();
          const id = e.dataTransfer.getData('text/plain') || dragging;
          const from = items.findIndex(x => x.job.id === id);
          const after = li.classList.contains('drop-after');
          clearMarks();
          dragging = null;
          if (from < 0 || id === job.id) return;
          // The target position in the queue without the dragged batch, as the server reads it.
          let to = position + (after ? 1 : 0);
          if (from < to) to -= 1;
          if (to !== from) move(id, to);
        });
        return li;
      }));
    }

    function clearMarks() {
      queueList.querySelectorAll('.drop-before, .drop-after').forEach(x => x.classList.remove('drop-before', 'drop-after'));
    }

    // target: a position (0 is the front), or one of the API's other moves, such as { end: true }.
    async function move(id, target) {
      try {
        const body = typeof target === 'number' ? { position: target } : target;
        const r = await api(`flex-queue/${encodeURIComponent(id)}/move`, { method: 'POST', body, scoped: true });
        drawQueue(r.items ?? []);
        mount(notice);
      } catch (e) {
        mount(notice, problemView(e));
      }
      await load();
    }

    function row(b) {
      const j = b.job, p = b.progress;
      const open = () => { picked = j.id; ctx.setQuery(new URLSearchParams({ batch: j.id })); load(); };
      return h('tr.clickable', { class: j.id === picked ? 'selected' : null, onclick: open, dataset: { batch: j.id, status: j.status } },
        h('td.nowrap', h('span.mono.id', '…' + j.id.slice(-12))),
        h('td', { title: j.className }, shortClass(j.className)),
        h('td', statusBadge(j.status)),
        h('td', progressBar(p.percent, j.status, p.numberOfErrors)),
        h('td.num.nowrap', `${num(p.jobItemsProcessed)} / ${num(p.totalJobItems)}`),
        h('td.num', { class: p.numberOfErrors ? 'bad' : 'muted' }, num(p.numberOfErrors)),
        h('td', p.chunks ? stackedBar(STATUSES.map(s => ({ name: label(s), value: p.chunksByStatus?.[s] ?? 0, cls: `s-${s.toLowerCase()}` })),
          { label: `chunks of ${j.id} by status` }) : h('span.muted', '—')),
        h('td.nowrap', { title: time(j.createdAt) }, shortTime(j.createdAt)));
    }

    async function drawDetail(b) {
      if (!b) { mount(detail); return; }
      const path = `batches/${encodeURIComponent(b.job.id)}`;
      const [chunks, errors] = await Promise.all([api(`${path}/chunks`, { scoped: true }), api(`${path}/errors`, { scoped: true })]);
      const errs = errors.items ?? [];
      const chunkNo = new Map((chunks.items ?? []).map((c, i) => [c.id, i + 1]));
      mount(detail, h('div.grid-main',
        h('section.card.flush#batch-errors',
          h('div.card-head', h('h2.card-title', 'Chunk errors', h('span.card-sub', `of batch …${b.job.id.slice(-12)}`)),
            h('span.muted.small', `${num(errs.length)} error${errs.length === 1 ? '' : 's'}`)),
          errs.length === 0 ? h('div.empty', 'No chunk failed.') :
            h('table.table',
              h('thead', h('tr', h('th', 'When'), h('th', 'Phase'), h('th.num', 'Chunk'), h('th', 'Exception'), h('th', 'Failed records'))),
              h('tbody', errs.map(e => h('tr', { dataset: { phase: e.phase } },
                h('td.nowrap', { title: time(e.occurredAt) }, shortTime(e.occurredAt)),
                h('td', h('span.tag', e.phase)),
                h('td.num', e.chunkJobId ? h('a', { href: `#/jobs/${encodeURIComponent(e.chunkJobId)}` }, `#${chunkNo.get(e.chunkJobId) ?? '?'}`) : '—'),
                h('td', h('strong', shortClass(e.exceptionType)), e.message ? h('div.small.bad-text', e.message) : null),
                h('td.small.mono', (e.failedRecordIds ?? []).join(', ') + (e.scopeTruncated ? ' …' : ''))))))),
        h('section.card.flush#batch-chunks',
          h('div.card-head', h('h2.card-title', 'Chunks'), h('span.muted.small', `${num(chunks.items?.length ?? 0)}`)),
          h('table.table.compact',
            h('thead', h('tr', h('th.num', '#'), h('th', 'Status'), h('th', 'Chunk job'))),
            h('tbody', (chunks.items ?? []).map((c, i) => h('tr', { dataset: { chunk: c.id, status: c.status } },
              h('td.num', i + 1), h('td', statusBadge(c.status)),
              h('td', h('a.mono.id', { href: `#/jobs/${encodeURIComponent(c.id)}` }, '…' + c.id.slice(-12))))))))));
    }

    await load();
    return { refresh: load };
  },
};

/** A progress bar with its percentage: blue while running, green when done, red-tinted when chunks failed. */
function progressBar(percent, status, errors) {
  const pct = Math.max(0, Math.min(100, Number(percent) || 0));
  const tone = status === 'FAILED' || status === 'ABORTED' ? 'bad' : errors ? 'warn' : status === 'COMPLETED' ? 'ok' : 'run';
  return h('div.progress', { role: 'progressbar', 'aria-valuenow': pct, 'aria-valuemin': 0, 'aria-valuemax': 100 },
    h('div.progress-track', h(`span.progress-fill.${tone}`, { style: `width:${pct}%` })),
    h('span.progress-text', `${pct % 1 ? pct.toFixed(1) : pct} %`));
}
