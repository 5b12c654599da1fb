// Pieces several pages share.
import { h, mount } from '../dom.js';

/** Shown to an admin on a tenant's page before any tenant exists to pick. */
export function needTenant(el) {
  mount(el, h('div.empty', 'No tenant to show. Create a tenant first; then pick it at the top right.'));
  return null;
}

/** A card with a heading. */
export function card(title, ...body) {
  return h('section.card', h('h2.card-title', title), ...body);
}

/** A key/value list. */
export function facts(pairs) {
  return h('dl.facts', pairs.filter(Boolean).map(([k, v]) => [h('dt', k), h('dd', v ?? '—')]));
}

/** A problem detail (RFC 9457) shown as an error panel. */
export function problemView(e) {
  const p = e.problem || {};
  return h('div.alert.error', { role: 'alert' },
    h('strong', p.title || 'Something went wrong'),
    h('p', p.detail || e.message),
    p.status ? h('p.muted.small', `HTTP ${p.status}${p.type && p.type !== 'about:blank' ? ' · ' + p.type : ''}`) : null);
}
