// Feature flags of the tenant: each one with a switch; a flag not set yet is added by name. For the flag picked, its
// audited changes: who switched it, when, from what to what.
// Nodes cache flags for a few seconds, so a switch takes effect on every node within that time.
import { api, ApiError, session } from '../api.js';
import { h, mount } from '../dom.js';
import { num, shortTime, time } from '../format.js';
import { needTenant, problemView } from './common.js';

export default {
  id: 'flags',
  title: 'Feature flags',
  path: '/flags',
  async render(el, ctx) {
    if (!session.tenant && session.role === 'admin') return needTenant(el);
    let picked = ctx.query.get('flag') || null;   // the flag whose history is shown
    const list = h('div.flag-list#flags-list');
    const count = h('span.muted.small');
    const notice = h('div.notice');
    const nameInput = h('input#new-flag', { placeholder: 'e.g. beta-billing', autocomplete: 'off', spellcheck: 'false', 'aria-label': 'flag name' });
    const nameError = h('div.field-error', { role: 'alert' });
    const busy = new Set();   // flags being switched: a refresh leaves their switch alone
    const detail = h('div.slot#flag-detail');

    mount(el,
      h('p.muted.lead', `Flags of tenant ${session.tenant ?? ''}. Job classes bound to a flag run only while it is on; a switch reaches every node within its flag cache time. History shows who switched a flag, when, and how.`),
      notice,
      h('section.card.flush',
        h('div.card-head', h('h2.card-title', 'Flags', h('span.card-sub', 'per tenant')), count),
        list,
        h('form.add-flag', {
          onsubmit: async e => {
            e.preventDefault();
            const name = nameInput.value.trim();
            nameError.textContent = '';
            nameInput.classList.remove('invalid');
            try {
              await set(name, true);
              nameInput.value = '';
              mount(notice, h('div.alert.ok', `Flag ${name} is on.`));
            } catch (err) {
              if (!(err instanceof ApiError) || err.status === 0 || err.status >= 500) throw err;
              nameInput.classList.add('invalid');
              nameError.textContent = err.message;
            }
            await load();
          },
        },
        h('div.field.grow', h('span', 'Add a flag (switched on)'), nameInput, nameError),
        h('button.btn.primary#add-flag', { type: 'submit' }, 'Add and switch on'))),
      detail);

    const set = (name, enabled) =>
      api(`flags/${encodeURIComponent(name)}`, { method: 'PUT', body: { enabled }, scoped: true });

    async function load() {
      const data = await api('flags', { scoped: true });
      const flags = normalize(data);
      count.textContent = `${num(flags.length)} flag${flags.length === 1 ? '' : 's'} · ${num(flags.filter(f => f.enabled).length)} on`;
      const keep = new Map([...list.querySelectorAll('[data-flag]')].filter(r => busy.has(r.dataset.flag)).map(r => [r.dataset.flag, r]));
      mount(list, flags.length === 0 ? h('div.empty', 'No flags set for this tenant yet.')
        : flags.map(f => keep.get(f.name) ?? row(f)));
      if (picked && !flags.some(f => f.name === picked)) pick(null);   // not a flag of this tenant
      if (!picked) return;
      const name = picked;
      const changes = await api(`flags/${encodeURIComponent(name)}/history`, { scoped: true });
      if (picked === name) mount(detail, history(name, changes.items ?? []));   // unless another was picked meanwhile
    }

    /** Shows a flag's history, or none; the pick stays in the address. */
    function pick(name) {
      picked = name;
      ctx.setQuery(new URLSearchParams(name ? { flag: name } : {}));
      list.querySelectorAll('[data-flag]').forEach(r => {
        r.classList.toggle('selected', r.dataset.flag === name);
        r.querySelector('.history-btn')?.setAttribute('aria-pressed', String(r.dataset.flag === name));
      });
      if (!name) mount(detail);
    }

    /** The flag's audited changes, newest first. */
    function history(name, changes) {
      return h('section.card.flush#flag-history', { dataset: { flag: name } },
        h('div.card-head', h('h2.card-title', 'History', h('span.card-sub', `of flag ${name}, newest first (the last 100)`)),
          h('span.muted.small', `${num(changes.length)} change${changes.length === 1 ? '' : 's'}`)),
        changes.length === 0 ? h('div.empty', 'No audited changes.') :
          h('table.table',
            h('thead', h('tr', h('th', 'When'), h('th', 'Changed by'), h('th', 'Change'))),
            h('tbody', changes.map(c => h('tr', {
              dataset: { changedBy: c.changedBy, old: String(c.oldValue ?? 'new'), new: String(c.newValue) },
            },
            h('td.nowrap', { title: time(c.changedAt) }, shortTime(c.changedAt)),
            h('td.mono', c.changedBy),
            h('td.nowrap', c.oldValue === null || c.oldValue === undefined ? h('span.muted', 'new') : onOff(c.oldValue),
              ' → ', onOff(c.newValue)))))));
    }

    function row(f) {
      const toggle = h('input.switch-input', {
        type: 'checkbox', role: 'switch', checked: f.enabled, 'aria-label': `flag ${f.name}`,
        onchange: async e => {
          const on = e.target.checked;
          busy.add(f.name);
          e.target.disabled = true;
          try {
            const r = await set(f.name, on);
            mount(notice, r?.jobsMoved ? h('div.alert.ok', `Flag ${f.name} is ${on ? 'on' : 'off'}: ${num(r.jobsMoved)} job${r.jobsMoved === 1 ? '' : 's'} ${on ? 'released' : 'held'}.`) : null);
          } catch (err) {
            e.target.checked = !on;
            mount(notice, problemView(err));
          } finally {
            busy.delete(f.name);
          }
          await load();
        },
      });
      return h('div.flag-row', { class: f.name === picked ? 'selected' : null, dataset: { flag: f.name, enabled: String(f.enabled) } },
        h('div', h('div.mono.flag-name', f.name),
          f.updatedAt ? h('div.muted.small', `changed ${new Date(f.updatedAt).toLocaleString()}`) : null),
        h('div.flag-actions',
          h('button.btn.small-btn.history-btn', {
            type: 'button', 'aria-pressed': String(f.name === picked), title: `Who switched ${f.name}, when, and from what to what`,
            onclick: () => { pick(picked === f.name ? null : f.name); if (picked) load(); },
          }, 'History'),
          h('label.switch', toggle, h('span.switch-track', h('span.switch-thumb')),
            h('span.switch-text', f.enabled ? 'On' : 'Off'))));
    }

    await load();
    return { refresh: load };
  },
};

/** On or Off, coloured. */
function onOff(on) {
  return h(on ? 'strong.ok-text' : 'strong.muted', on ? 'On' : 'Off');
}

/** [{name, enabled}] from a list of items or a name → boolean map, sorted by name. */
function normalize(d) {
  const raw = d.items ?? d.flags ?? d;
  const flags = Array.isArray(raw)
    ? raw.map(f => ({ name: f.name ?? f.flag, enabled: !!(f.enabled ?? f.on), updatedAt: f.updatedAt }))
    : Object.entries(raw).map(([name, enabled]) => ({ name, enabled: !!enabled }));
  return flags.sort((a, b) => a.name.localeCompare(b.name));
}
