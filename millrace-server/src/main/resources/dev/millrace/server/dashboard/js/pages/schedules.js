// Schedules: the tenant's schedules with their next fire times; pause, resume, change the cron (the server's cron
// parser checks it and its message shows under the field), create one.
import { api, ApiError, session } from '../api.js';
import { h, mount } from '../dom.js';
import { label, num, shortClass, shortTime, time } from '../format.js';
import { needTenant, problemView } from './common.js';

/** How many coming fire times each row lists. */
const NEXT = 3;

export default {
  id: 'schedules',
  title: 'Schedules',
  path: '/schedules',
  async render(el) {
    if (!session.tenant && session.role === 'admin') return needTenant(el);
    const body = h('tbody');
    const count = h('span.muted.small');
    const notice = h('div.notice');
    const form = h('div.slot#schedule-form-slot');
    // Rows being edited keep their element across refreshes, so a refresh never eats what is being typed.
    const editing = new Map();
    let rows = [];

    mount(el,
      h('div.toolbar.spread',
        h('p.muted.lead', 'Cron expressions in Salesforce syntax: seconds minutes hours day-of-month month day-of-week [year].'),
        h('button.btn.primary#new-schedule', { onclick: () => showForm() }, 'New schedule')),
      form, notice,
      h('section.card.flush',
        h('div.card-head', h('h2.card-title', 'Schedules', h('span.card-sub', 'next fire times in your local time')), count),
        h('table.table#schedules-table',
          h('thead', h('tr', h('th', 'Name'), h('th', 'Cron'), h('th', 'State'), h('th', `Next ${NEXT} fires`),
            h('th', 'Last fired'), h('th.num', 'Fired'), h('th.num', 'Skipped'), h('th.num', 'Actions'))),
          body)));

    async function load() {
      const list = await api('schedules', { scoped: true });
      rows = (list.items ?? list).map(normalize);
      // The list carries the next fire time only; each live schedule's next few are read alongside.
      await Promise.all(rows.filter(s => s.state !== 'PAUSED' && s.state !== 'COMPLETED').map(async s => {
        try {
          const one = await api(`schedules/${encodeURIComponent(s.id)}?next=${NEXT}`, { scoped: true });
          s.next = one.nextFireTimes ?? null;
        } catch (e) {
          if (!(e instanceof ApiError) || e.status !== 404) throw e;   // deleted meanwhile
        }
      }));
      for (const s of rows) if (!s.next && s.nextFireTime) s.next = [s.nextFireTime];
      count.textContent = `${num(rows.length)} schedule${rows.length === 1 ? '' : 's'}`;
      mount(body, rows.length === 0
        ? h('tr', h('td.empty', { colspan: 8 }, 'No schedules yet. Create one with “New schedule”.'))
        : rows.map(s => editing.get(s.id) ?? row(s)));
    }

    function row(s) {
      const paused = s.state === 'PAUSED';
      const ended = s.state === 'COMPLETED';
      return h('tr', { dataset: { schedule: s.id, name: s.name, state: s.state } },
        h('td', h('strong', s.name), h('div.muted.small', { title: s.className }, shortClass(s.className))),
        h('td', h('code.cron', s.cron), h('div.muted.small', s.zone)),
        h('td', stateBadge(s.state), s.lastError ? h('div.small.bad-text', { title: s.lastError }, s.lastError) : null),
        h('td.next-fires', ended || paused ? h('span.muted', paused ? 'paused' : 'no more fires')
          : (s.next ?? []).length === 0 ? h('span.muted', '—')
            : h('ol.fire-list', s.next.slice(0, NEXT).map(t => h('li', { title: time(t) }, shortTime(t), h('span.muted.small', ` · ${until(t)}`))))),
        h('td.nowrap', s.lastFireTime ? h('span', { title: time(s.lastFireTime) }, shortTime(s.lastFireTime)) : h('span.muted', 'never'),
          s.lastJobId ? h('div.small', h('a.mono', { href: `#/jobs/${encodeURIComponent(s.lastJobId)}` }, '…' + s.lastJobId.slice(-8))) : null),
        h('td.num', num(s.fireCount)),
        h('td.num', { class: s.skippedCount ? 'warn-text' : 'muted' }, num(s.skippedCount)),
        h('td.num.nowrap', h('div.row-actions',
          ended ? null : h('button.btn.small-btn', { class: 'edit-cron', onclick: () => edit(s) }, 'Edit cron'),
          ended ? null : paused
            ? h('button.btn.small-btn', { class: 'resume', onclick: () => act(s, 'resume') }, 'Resume')
            : h('button.btn.small-btn', { class: 'pause', onclick: () => act(s, 'pause') }, 'Pause'))));
    }

    /** The row turned into a cron editor; Save sends it, and the parser's answer shows under the field. */
    function edit(s) {
      const input = h('input.cron-input', { value: s.cron, 'aria-label': `cron of ${s.name}`, spellcheck: 'false' });
      const error = h('div.field-error', { role: 'alert' });
      const preview = h('div.cron-preview.muted.small');
      cronCheck(input, () => s.zone, preview, error);
      const save = h('button.btn.primary.small-btn', { class: 'save-cron', type: 'submit' }, 'Save');
      const cancel = h('button.btn.small-btn', { class: 'cancel-cron', type: 'button', onclick: () => done() }, 'Cancel');
      const done = () => { editing.delete(s.id); load(); };
      const tr = h('tr.editing', { dataset: { schedule: s.id, name: s.name, state: s.state } },
        h('td', h('strong', s.name), h('div.muted.small', shortClass(s.className))),
        h('td', { colspan: 7 },
          h('form.inline-form', {
            onsubmit: async e => {
              e.preventDefault();
              save.disabled = true;
              error.textContent = '';
              input.classList.remove('invalid');
              try {
                await api(`schedules/${encodeURIComponent(s.id)}`, { method: 'PATCH', body: { cron: input.value.trim() }, scoped: true });
                mount(notice, h('div.alert.ok', `The cron of ${s.name} is now ${input.value.trim()}.`));
                done();
              } catch (err) {
                if (!(err instanceof ApiError) || err.status >= 500 || err.status === 0) throw err;
                input.classList.add('invalid');
                error.textContent = err.message;
              } finally {
                save.disabled = false;
              }
            },
          },
          h('div.field.grow', input, error, preview),
          save, cancel)));
      editing.set(s.id, tr);
      body.querySelector(`tr[data-schedule="${CSS.escape(s.id)}"]`)?.replaceWith(tr);
      input.focus();
      input.select();
    }

    async function act(s, what) {
      try {
        await api(`schedules/${encodeURIComponent(s.id)}/${what}`, { method: 'POST', scoped: true });
        mount(notice);
      } catch (e) {
        mount(notice, problemView(e));
      }
      await load();
    }

    /** The create form, above the table. */
    async function showForm() {
      if (form.firstChild) { form.querySelector('input')?.focus(); return; }
      let types = [];
      try {
        const t = await api('schedule-types', { scoped: true });
        types = (t.items ?? t).map(x => (typeof x === 'string' ? x : x.name));
      } catch (e) {
        if (!(e instanceof ApiError) || e.status >= 500) throw e;   // no such route: the class is typed in
      }
      const errors = {};
      const field = (name, text, input, hint, extra) => {
        errors[name] = h('div.field-error', { role: 'alert', dataset: { field: name } });
        return h('label.field', h('span', text), input, hint ? h('span.hint', hint) : null, errors[name], extra);
      };
      const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
      const inputs = {
        name: h('input#new-name', { required: true, placeholder: 'nightly-cleanup', autocomplete: 'off' }),
        cron: h('input#new-cron.cron-input', { required: true, placeholder: '0 0 2 * * ?', spellcheck: 'false', autocomplete: 'off' }),
        zone: h('input#new-zone', { value: zone, placeholder: 'UTC' }),
        type: types.length
          ? h('select#new-type', types.map(t => h('option', { value: t }, t)))
          : h('input#new-type', { required: true, placeholder: 'com.example.NightlyCleanup' }),
      };
      const preview = h('div.cron-preview.muted.small');
      const general = h('div.notice');
      const close = () => mount(form);
      mount(form, h('form.card.create-form#schedule-form', {
        onsubmit: async e => {
          e.preventDefault();
          Object.values(errors).forEach(x => { x.textContent = ''; });
          Object.values(inputs).forEach(x => x.classList.remove('invalid'));
          mount(general);
          try {
            const created = await api('schedules', {
              method: 'POST', scoped: true,
              body: { name: inputs.name.value.trim(), cron: inputs.cron.value.trim(), zone: inputs.zone.value.trim() || 'UTC', type: inputs.type.value.trim() },
            });
            close();
            mount(notice, h('div.alert.ok', `Schedule ${created?.name ?? inputs.name.value} created.`));
            await load();
          } catch (err) {
            if (!(err instanceof ApiError) || err.status === 0 || err.status >= 500) throw err;
            // A problem naming a field goes under that field; anything else above the buttons.
            const f = fieldOf(err.problem?.field);
            if (f && errors[f]) { errors[f].textContent = err.message; inputs[f].classList.add('invalid'); inputs[f].focus(); }
            else mount(general, problemView(err));
          }
        },
      },
      h('h2.card-title', 'New schedule'),
      h('div.form-grid',
        field('name', 'Name', inputs.name, 'unique within the tenant'),
        field('cron', 'Cron expression', inputs.cron, 'e.g. 0 30 9 ? * MON-FRI', preview),
        field('zone', 'Time zone', inputs.zone, 'the zone the expression is read in'),
        field('type', 'Schedulable', inputs.type, types.length ? 'the types this server can schedule' : null)),
      general,
      h('div.form-actions',
        h('button.btn.primary#create-schedule', { type: 'submit' }, 'Create schedule'),
        h('button.btn#cancel-schedule', { type: 'button', onclick: close }, 'Cancel'))));
      cronCheck(inputs.cron, () => inputs.zone.value.trim() || 'UTC', preview, errors.cron);
      inputs.name.focus();
    }

    await load();
    return { refresh: load };
  },
};

/** The request field a problem names, as the form's field: "/cron", "cron", "body.cron" → cron. */
function fieldOf(f) {
  if (!f) return null;
  const last = String(f).split(/[./]/).filter(Boolean).pop();
  return last === 'expression' ? 'cron' : last;
}

/**
 * Checks a cron field as it is typed: the server's parser reads it (GET /cron/next) and either its next fire times
 * show under the field, or the parser's message does, in red.
 */
function cronCheck(input, zone, preview, error) {
  let timer = null;
  let asked = 0;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const text = input.value.trim();
      const mine = ++asked;
      if (!text) { preview.textContent = ''; error.textContent = ''; input.classList.remove('invalid'); return; }
      try {
        const r = await api(`cron/next?expression=${encodeURIComponent(text)}&zone=${encodeURIComponent(zone())}&n=3`, { scoped: true });
        if (mine !== asked) return;
        input.classList.remove('invalid');
        error.textContent = '';
        mount(preview, r.fireTimes.length === 0 ? 'It never fires after now.'
          : ['Next: ', r.fireTimes.map(t => shortTime(t)).join(' · '), r.salesforceCompatible === false ? ' (not valid on Salesforce)' : '']);
      } catch (e) {
        if (mine !== asked || !(e instanceof ApiError) || e.status !== 400) return;
        // The zone's own problem belongs to the zone field, not to the cron.
        if (e.problem?.field === 'zone') return;
        input.classList.add('invalid');
        preview.textContent = '';
        error.textContent = e.message;
      }
    }, 250);
  });
}

/** How far ahead a time is, roughly: in 7 min, in 5 h, in 2 d. */
function until(iso, now = Date.now()) {
  const min = Math.max(0, Math.round((new Date(iso).getTime() - now) / 60_000));
  if (min < 1) return 'in < 1 min';
  if (min < 120) return `in ${min} min`;
  if (min < 48 * 60) return `in ${Math.round(min / 60)} h`;
  return `in ${Math.round(min / 1440)} d`;
}

/** A schedule as the page draws it, whatever the exact field names of the server's answer. */
function normalize(s) {
  return {
    id: String(s.id), name: s.name, cron: s.cron ?? s.cronExpression, zone: s.zone ?? s.timeZone ?? 'UTC',
    className: s.className ?? s.schedulable ?? s.type, state: String(s.state ?? 'WAITING'),
    next: s.nextFireTimes ?? s.nextFires ?? null, nextFireTime: s.nextFireTime,
    lastFireTime: s.lastFireTime, lastJobId: s.lastJobId, fireCount: s.fireCount ?? 0,
    skippedCount: s.skippedCount ?? 0, lastError: s.lastError,
  };
}

/** A coloured badge for a schedule state. */
export function stateBadge(state) {
  const tone = { WAITING: 'sc-waiting', EXECUTING: 'sc-executing', PAUSED: 'sc-paused', COMPLETED: 'sc-completed',
    ACTIVE: 'sc-waiting', SUSPENDED: 'sc-suspended' }[state] ?? 'sc-completed';
  return h(`span.badge.${tone}`, label(state));
}
