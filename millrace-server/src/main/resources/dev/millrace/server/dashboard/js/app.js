// The dashboard shell: sign-in, navigation, the hash router and live updates.
// Pages are modules listed in pages/index.js; each renders into the content area and may refresh itself.
import { api, ApiError, session } from './api.js';
import { h, mount } from './dom.js';
import { pages, navigation } from './pages/index.js';
import { problemView } from './pages/common.js';

/** How often the open page refreshes itself, in milliseconds. */
const REFRESH_MS = 3000;

const root = document.getElementById('app');
let current = null;   // { page, instance, token }
let timer = null;
let tenants = [];     // for an admin: the tenants to choose from

/** Works out what the key may do: an admin key lists tenants, a tenant key gets 401/403/404 there. */
async function identify(key) {
  try {
    const list = await api('tenants', { key });
    return { role: 'admin', tenants: list.items ?? list };
  } catch (e) {
    if (!(e instanceof ApiError) || e.status === 0 || e.status === 401 || e.status >= 500) throw e;
  }
  const stats = await api('stats', { key });   // a tenant key reads its own tenant's figures
  return { role: 'tenant', tenant: stats.tenant ?? stats.tenantId ?? null, tenants: [] };
}

function signInView(message) {
  stop();
  const input = h('input#key', {
    type: 'password', autocomplete: 'off', placeholder: 'mr_…', required: true, 'aria-label': 'API key',
  });
  const error = h('p.form-error', { role: 'alert' }, message || '');
  const button = h('button.btn.primary#sign-in', { type: 'submit' }, 'Sign in');
  const form = h('form.signin-card', {
    onsubmit: async e => {
      e.preventDefault();
      button.disabled = true;
      error.textContent = '';
      try {
        const key = input.value.trim();
        const who = await identify(key);
        session.key = key;
        await start(who);
      } catch (err) {
        error.textContent = err.status === 401 || err.status === 403
          ? 'That key was not accepted. Use an admin key or an API key of a tenant.'
          : err.message;
      } finally {
        button.disabled = false;
      }
    },
  },
  h('div.brand.brand-lg', logo(), 'Millrace'),
  h('p.muted', 'Sign in with an API key. It is kept only in this browser tab.'),
  h('label.field', h('span', 'API key'), input),
  error,
  button);
  mount(root, h('div.signin', form));
  input.focus();
}

function logo() {
  return h('span.logo', { 'aria-hidden': 'true' });
}

async function start(who) {
  session.role = who.role;
  tenants = who.tenants.map(t => (typeof t === 'string' ? t : t.id ?? t.tenant));
  if (who.role === 'tenant') session.tenant = who.tenant;
  else if (!tenants.includes(session.tenant)) session.tenant = tenants[0] ?? null;
  renderShell();
  window.onhashchange = route;
  if (!location.hash || location.hash === '#' || location.hash === '#/') location.hash = '#/overview';
  else route();
}

function renderShell() {
  const nav = h('nav.nav', { 'aria-label': 'Pages' }, navigation(session.role).map(section =>
    h('div.nav-section',
      h('div.nav-heading', section.heading),
      section.items.map(p => h('a.nav-link', { href: `#${p.path}`, dataset: { page: p.id } }, p.title)))));

  const tenantPicker = session.role === 'admin'
    ? h('label.tenant-picker', h('span', 'Tenant'),
      h('select#tenant', {
        onchange: e => { session.tenant = e.target.value; route(); },
        disabled: tenants.length === 0,
      }, tenants.length === 0 ? h('option', 'no tenants') : tenants.map(t =>
        h('option', { value: t, selected: t === session.tenant }, t))))
    : h('span.tenant-picker', h('span', 'Tenant'), h('strong', session.tenant ?? 'this key'));

  mount(root, h('div.shell',
    h('aside.sidebar',
      h('a.brand', { href: '#/overview' }, logo(), 'Millrace'),
      nav,
      h('div.sidebar-foot', h('span.role', session.role === 'admin' ? 'Admin key' : 'Tenant key'))),
    h('div.main',
      h('header.topbar',
        h('h1#page-title', ''),
        h('div.topbar-right',
          h('span.live#live', { title: 'The page refreshes itself' }, h('span.live-dot'), h('span#live-text', 'Live')),
          tenantPicker,
          h('button.btn.ghost#sign-out', { onclick: signOut }, 'Sign out'))),
      h('main.content#page'))));
}

function signOut() {
  session.signOut();
  location.hash = '';
  signInView();
}

function match(hash) {
  const [path = '/overview', search = ''] = hash.replace(/^#/, '').split('?');
  for (const page of pages) {
    const names = [];
    const re = new RegExp('^' + page.path.replace(/:(\w+)/g, (_, n) => { names.push(n); return '([^/]+)'; }) + '$');
    const m = path.match(re);
    if (m && (!page.role || page.role === session.role)) {
      return {
        page, query: new URLSearchParams(search),
        params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])])),
      };
    }
  }
  return null;
}

async function route() {
  stop();
  current?.instance?.dispose?.();
  const content = document.getElementById('page');
  if (!content) return;
  const found = match(location.hash);
  document.querySelectorAll('.nav-link').forEach(a => {
    const p = found?.page;
    a.classList.toggle('active', !!p && (a.dataset.page === p.id || a.dataset.page === p.parent));
  });
  if (!found) {
    document.getElementById('page-title').textContent = 'Not found';
    mount(content, h('div.empty', 'There is no such page. ', h('a', { href: '#/overview' }, 'Go to the overview.')));
    return;
  }
  const token = {};
  current = { page: found.page, token, instance: null };
  document.getElementById('page-title').textContent = found.page.title;
  document.title = `${found.page.title} · Millrace`;
  // Each visit renders into its own element: a slower render of the page left behind writes into a detached
  // element, never over the page now shown.
  const view = h('div.view', h('div.loading', 'Loading…'));
  mount(content, view);
  const ctx = {
    params: found.params,
    query: found.query,
    /** Changes the page's query in the address without reloading the page. */
    setQuery: q => { const s = q.toString(); history.replaceState(null, '', `#${found.page.path}${s ? '?' + s : ''}`); },
    setTitle: t => { if (current?.token === token) { document.getElementById('page-title').textContent = t; document.title = `${t} · Millrace`; } },
    tenants,
  };
  try {
    const instance = await found.page.render(view, ctx);
    if (current?.token !== token) { instance?.dispose?.(); return; }
    current.instance = instance;
    markUpdated(true);
    if (instance?.refresh) schedule(token);
  } catch (e) {
    if (current?.token === token) failed(view, e);
  }
}

function failed(content, e) {
  if (e instanceof ApiError && e.status === 401) { signOut(); signInView('Your key is no longer accepted; sign in again.'); return; }
  mount(content, problemView(e));
}

function schedule(token) {
  timer = setTimeout(async () => {
    if (current?.token !== token) return;
    if (document.visibilityState === 'visible') {
      try {
        await current.instance.refresh();
        markUpdated(true);
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) { failed(document.getElementById('page'), e); return; }
        if (current?.token !== token) return;
        markUpdated(false, e.message);
      }
    }
    if (current?.token === token) schedule(token);
  }, REFRESH_MS);
}

function stop() {
  clearTimeout(timer);
  timer = null;
}

function markUpdated(ok, why) {
  const live = document.getElementById('live');
  if (!live) return;
  live.classList.toggle('stale', !ok);
  const d = new Date();
  const t = [d.getHours(), d.getMinutes(), d.getSeconds()].map(x => String(x).padStart(2, '0')).join(':');
  document.getElementById('live-text').textContent = ok ? `Live · ${t}` : `Not updating: ${why}`;
}

// Start: a key in this tab's session signs in again without asking.
(async () => {
  if (session.key) {
    try { await start(await identify(session.key)); return; } catch (e) {
      session.signOut();
      signInView(e instanceof ApiError && e.status === 401 ? '' : e.message);
      return;
    }
  }
  signInView();
})();
