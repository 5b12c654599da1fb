// Channels: the tenant's event channels; for the one picked, its event rate over the last hour, its recent events
// (followed live over the channel's Server-Sent Events stream), and the subscriptions on it with each partition's lag
// and state, with Resume for suspended ones, Delete, and a form to create one naming a registered handler class.
import { api, ApiError, query, session, stream } from '../api.js';
import { h, mount } from '../dom.js';
import { lineChart } from '../chart.js';
import { num, shortTime, time } from '../format.js';
import { card, needTenant, problemView } from './common.js';
import { stateBadge } from './schedules.js';

/** How many recent events the page reads: enough for the rate chart of a busy channel's last hour. */
const RECENT = 500;
/** How many of them the table lists. */
const LISTED = 10;

export default {
  id: 'channels',
  title: 'Channels',
  path: '/channels',
  async render(el, ctx) {
    if (!session.tenant && session.role === 'admin') return needTenant(el);
    let picked = ctx.query.get('channel') || null;
    const listBody = h('tbody');
    const count = h('span.muted.small');
    const detail = h('div.stack-col#channel-detail');
    const notice = h('div.notice');
    // The picked channel's recent events: read by load(), then grown by the live stream between loads.
    let shown = [];
    const recentHolder = h('div');
    const liveBadge = h('span.pill.idle#recent-live', { dataset: { state: 'off' } }, 'not live');
    let follow = null;       // { name, controller, lastId }
    let disposed = false;
    const confirming = new Set();
    let handlers = null;
    const form = subscriptionForm();

    mount(el, notice,
      h('section.card.flush',
        h('div.card-head', h('h2.card-title', 'Channels', h('span.card-sub', 'pick one to see its events and subscriptions')), count),
        h('table.table#channels-table',
          h('thead', h('tr', h('th', 'Channel'), h('th', 'Fields'), h('th', 'Publish'), h('th.num', 'Retention'),
            h('th.num', 'Last replay id'), h('th.num', 'Events, last hour'), h('th.num', 'Lag'), h('th', 'Subscriptions'))),
          listBody)),
      detail);

    async function load() {
      if (handlers === null) {
        handlers = (await api('event-handlers', { scoped: true })).items;
        form.fillHandlers(handlers);
      }
      const [chData, subs] = await Promise.all([api('channels', { scoped: true }), subscriptions()]);
      const channels = (chData.items ?? chData).map(normalizeChannel);
      if (!picked || !channels.some(c => c.name === picked)) picked = channels[0]?.name ?? null;
      // Each channel's latest events: for the list's count of the last hour, and the picked one's chart and table.
      const recent = new Map(await Promise.all(channels.map(async c => [c.name, await recentEvents(c.name)])));
      count.textContent = `${num(channels.length)} channel${channels.length === 1 ? '' : 's'}`;
      const hourAgo = Date.now() - 3600_000;
      mount(listBody, channels.length === 0
        ? h('tr', h('td.empty', { colspan: 8 }, 'No channels declared for this tenant yet.'))
        : channels.map(c => {
          const mine = subs.filter(s => s.channel === c.name);
          const lag = mine.reduce((a, s) => a + s.lag, 0);
          const suspended = mine.some(s => s.state === 'SUSPENDED');
          const { events, last, full } = recent.get(c.name);
          const lastHour = events.filter(e => e.t >= hourAgo).length;
          return h('tr.clickable', {
            class: c.name === picked ? 'selected' : null, dataset: { channel: c.name },
            onclick: () => { picked = c.name; ctx.setQuery(new URLSearchParams({ channel: c.name })); load(); },
          },
          h('td', h('strong', c.name)),
          h('td.muted.small', c.fields.length ? c.fields.map(f => f.name + (f.required ? '*' : '')).join(', ') : '—'),
          h('td', h('span.tag', c.behavior ?? '—')),
          h('td.num', c.retention ?? '—'),
          h('td.num', last ? num(last) : '—'),
          h('td.num', { title: full ? `at least ${RECENT} events were read; there may be more` : null },
            `${full && lastHour === events.length ? '≥ ' : ''}${num(lastHour)}`),
          h('td.num', { class: lag ? 'warn-text' : 'muted' }, num(lag)),
          h('td', mine.length === 0 ? h('span.muted', 'none') : stateBadge(suspended ? 'SUSPENDED' : 'ACTIVE'),
            mine.length ? h('span.muted.small', ` ${num(new Set(mine.map(s => s.subscription)).size)}`) : null));
        }));
      shown = picked ? recent.get(picked).events : [];
      mount(detail, picked ? channelDetail(picked, shown, subs.filter(s => s.channel === picked)) : null);
      if (picked) followChannel(picked, recent.get(picked).last);
      else stopFollowing();
    }

    /**
     * Follows the picked channel's stream from its last replay id: each event is added to the recent list at once,
     * without waiting for the next refresh. A stream that ends (the server restarting, say) is reopened after a pause.
     */
    function followChannel(name, last) {
      if (follow?.name === name) return;
      stopFollowing();
      const f = { name, controller: new AbortController(), lastId: last };
      follow = f;
      const open = async () => {
        while (!disposed && follow === f && !f.controller.signal.aborted) {
          try {
            await stream(`channels/${encodeURIComponent(name)}/events/stream${query({ from: f.lastId })}`, {
              scoped: true, signal: f.controller.signal,
              onOpen: () => setLive(true),
              onEvent: (id, data, type) => {
                if (type === 'error') return;
                const e = JSON.parse(data);
                f.lastId = Math.max(f.lastId, e.replayId);
                if (follow !== f || shown.some(x => x.replayId === e.replayId)) return;
                shown = [...shown, { ...e, t: new Date(e.publishedAt).getTime() }];
                mount(recentHolder, recentList(shown));
              },
            });
          } catch (e) {
            // A stream that cannot open is retried; the refresh loop keeps the page current meanwhile.
          }
          setLive(false);
          if (disposed || follow !== f || f.controller.signal.aborted) return;
          await new Promise(r => setTimeout(r, 3000));
        }
      };
      open();
    }

    function stopFollowing() {
      follow?.controller.abort();
      follow = null;
      setLive(false);
    }

    function setLive(on) {
      liveBadge.className = `pill ${on ? 'ok' : 'idle'}`;
      liveBadge.dataset.state = on ? 'streaming' : 'off';
      liveBadge.textContent = on ? '● live' : 'not live';
      liveBadge.title = on ? 'New events appear as they are published (Server-Sent Events)' : 'Refreshed every few seconds';
    }

    /** The form that creates a subscription on the picked channel; built once, so a refresh keeps what was typed. */
    function subscriptionForm() {
      const name = h('input.input#sub-name', { placeholder: 'billing', maxlength: 100, required: true, size: 14 });
      const handler = h('select.input#sub-handler', h('option', { value: '' }, 'loading…'));
      const batch = h('input.input#sub-batch', { type: 'number', min: 1, max: 2000, placeholder: '2000', size: 6 });
      const from = h('select.input#sub-from', h('option', { value: 'tip' }, 'new events (tip)'),
        h('option', { value: 'earliest' }, 'every kept event (earliest)'));
      const submit = h('button.btn.primary#sub-create', { type: 'submit' }, 'Create subscription');
      const el = h('form.inline-form#new-subscription', {
        onsubmit: async ev => {
          ev.preventDefault();
          const body = { name: name.value.trim(), channel: picked, handler: handler.value, from: from.value };
          if (batch.value) body.batchSize = Number(batch.value);
          submit.disabled = true;
          try {
            await api('subscriptions', { method: 'POST', body, scoped: true });
            mount(notice, h('div.alert.ok', `Subscription ${body.name} created on ${picked}.`));
            name.value = '';
            batch.value = '';
          } catch (e) {
            mount(notice, problemView(e));
          } finally {
            submit.disabled = false;
          }
          await load();
        },
      },
      h('label.field', h('span.small.muted', 'Name'), name),
      h('label.field', h('span.small.muted', 'Handler class'), handler),
      h('label.field', h('span.small.muted', 'Batch size'), batch),
      h('label.field', h('span.small.muted', 'Starts at'), from),
      submit);
      el.fillHandlers = list => {
        mount(handler, list.length === 0 ? h('option', { value: '' }, 'no handler registered on the server')
          : list.map(c => h('option', { value: c.name, title: c.name }, c.simpleName)));
        submit.disabled = list.length === 0;
      };
      return el;
    }

    async function subscriptions() {
      const d = await api('subscriptions', { scoped: true });
      const out = [];
      for (const s of d.items ?? d) {
        const parts = s.partitions ?? s.status ?? [s];
        for (const p of parts) {
          out.push({
            subscription: s.name ?? s.subscription ?? p.subscription, channel: s.channel ?? p.channel,
            handler: s.handler, runAs: s.runAs ?? p.runAs, partition: p.partition ?? 0, checkpoint: p.checkpoint,
            lag: Number(p.lag ?? 0), state: String(p.state ?? 'ACTIVE'), lastError: p.lastError, retries: p.retries ?? 0,
          });
        }
      }
      return out;
    }

    /**
     * The channel's latest events (up to RECENT), oldest first, each with its time in epoch millis: read after the
     * replay id RECENT before its last, or from the earliest kept when those were pruned.
     */
    async function recentEvents(name) {
      const path = `channels/${encodeURIComponent(name)}`;
      const { lastReplayId: last = 0 } = await api(path, { scoped: true });
      let d;
      try {
        d = await api(`${path}/events${query({ from: Math.max(0, last - RECENT), limit: RECENT })}`, { scoped: true });
      } catch (e) {
        if (!(e instanceof ApiError) || e.status !== 410) throw e;
        d = await api(`${path}/events${query({ from: 'earliest', limit: RECENT })}`, { scoped: true });
      }
      const events = d.items.map(e => ({ ...e, t: new Date(e.publishedAt).getTime() }));
      return { events, last, full: events.length >= RECENT };
    }

    function channelDetail(name, events, subs) {
      return [
        h('div.grid-main',
          h('section.card#channel-rate',
            h('h2.card-title', `Events on ${name}`, h('span.card-sub', 'published per minute, last hour')),
            lineChart({
              title: `Events published on ${name} per minute over the last hour`,
              yUnit: 'events / min',
              series: [{ name: 'Published', color: '#2563eb', points: perMinute(events) }],
            })),
          h('section.card',
            h('div.card-head.plain', h('h2.card-title', 'Recent events'), liveBadge),
            mount(recentHolder, recentList(events)))),
        h('section.card.flush#subscriptions',
          h('div.card-head', h('h2.card-title', 'Subscriptions', h('span.card-sub', `on ${name}, one row per partition`)),
            h('span.muted.small', `${num(new Set(subs.map(s => s.subscription)).size)} subscription${new Set(subs.map(s => s.subscription)).size === 1 ? '' : 's'}`)),
          h('table.table#subscriptions-table',
            h('thead', h('tr', h('th', 'Subscription'), h('th.num', 'Partition'), h('th.num', 'Checkpoint'),
              h('th.num', 'Lag'), h('th', 'State'), h('th.num', 'Retries'), h('th', 'Last error'), h('th.num', ''))),
            h('tbody', subs.length === 0
              ? h('tr', h('td.empty', { colspan: 8 }, 'Nothing subscribes to this channel.'))
              : subs.map(subRow))),
          h('div.card-foot', form)),
      ];
    }

    function subRow(s) {
      const suspended = s.state === 'SUSPENDED';
      return h('tr', { class: suspended ? 'row-bad' : null, dataset: { subscription: s.subscription, partition: s.partition, state: s.state } },
        h('td', h('strong', s.subscription),
          s.handler ? h('div.muted.small', s.handler.slice(s.handler.lastIndexOf('.') + 1)) : null,
          // Whom its handler runs as (EVT-9): the identity flag changes made in it are audited under.
          s.runAs ? h('div.muted.small.run-as', { title: 'The identity its handler runs as' }, `runs as ${s.runAs}`) : null),
        h('td.num', num(s.partition)),
        h('td.num', num(s.checkpoint)),
        h('td.num', h('span', { class: s.lag ? 'lag-bad' : 'muted' }, `${num(s.lag)} event${s.lag === 1 ? '' : 's'}`)),
        h('td', stateBadge(s.state)),
        h('td.num', num(s.retries)),
        // A last error stays after a resume: red while it holds the subscription, grey once delivery goes on.
        h('td.small', s.lastError ? h(suspended ? 'span.bad-text' : 'span.muted', { title: s.lastError }, clip(s.lastError, 90)) : h('span.muted', '—')),
        h('td.num.nowrap', h('div.row-actions',
          suspended ? h('button.btn.primary.small-btn', { class: 'resume-sub', title: 'Resume from its checkpoint: the events it missed are delivered',
            onclick: () => resume(s, 'CHECKPOINT') }, 'Resume') : null,
          suspended ? h('button.btn.small-btn', { class: 'resume-tip', title: 'Resume from the tip: the events it missed are skipped',
            onclick: () => resume(s, 'TIP') }, 'Skip to tip') : null,
          // One Delete per subscription (on its first partition's row), confirmed by a second click.
          s.partition === 0 ? h(`button.btn.small-btn.${confirming.has(s.subscription) ? 'danger' : 'ghost'}`, {
            class: 'delete-sub', title: 'Delete the subscription and its checkpoints; the channel and its events stay',
            onclick: () => remove(s.subscription),
          }, confirming.has(s.subscription) ? 'Confirm delete' : 'Delete') : null)));
    }

    async function remove(name) {
      if (!confirming.has(name)) {
        confirming.add(name);
        setTimeout(() => { confirming.delete(name); }, 15000);
        await load();
        return;
      }
      confirming.delete(name);
      try {
        await api(`subscriptions/${encodeURIComponent(name)}`, { method: 'DELETE', scoped: true });
        mount(notice, h('div.alert.ok', `Subscription ${name} deleted.`));
      } catch (e) {
        mount(notice, problemView(e));
      }
      await load();
    }

    async function resume(s, from) {
      try {
        await api(`subscriptions/${encodeURIComponent(s.subscription)}/resume`, { method: 'POST', body: { from }, scoped: true });
        mount(notice, h('div.alert.ok', `Subscription ${s.subscription} resumed from ${from === 'TIP' ? 'the tip' : 'its checkpoint'}.`));
      } catch (e) {
        mount(notice, problemView(e));
      }
      await load();
    }

    await load();
    return { refresh: load, dispose: () => { disposed = true; stopFollowing(); } };
  },
};

function recentList(events) {
  const last = events.slice(-LISTED).reverse();
  if (last.length === 0) return h('p.muted#recent-events', 'No events in the channel.');
  return h('table.table.compact#recent-events',
    h('thead', h('tr', h('th.num', 'Replay id'), h('th', 'Published'), h('th', 'Fields'))),
    h('tbody', last.map(e => h('tr', { dataset: { replay: e.replayId } },
      h('td.num', num(e.replayId)),
      h('td.nowrap', { title: time(e.publishedAt) }, shortTime(e.publishedAt)),
      h('td.small.mono.fields', clip(Object.entries(e.fields ?? e.payload ?? {}).map(([k, v]) => `${k}=${v}`).join('  '), 80))))));
}

/** Events per minute over the last hour, a point for every minute (zero where none were published). */
export function perMinute(events, now = Date.now()) {
  const end = Math.floor(now / 60_000) * 60_000;
  const start = end - 59 * 60_000;
  const counts = new Map();
  for (const e of events) {
    const m = Math.floor(e.t / 60_000) * 60_000;
    if (m >= start) counts.set(m, (counts.get(m) ?? 0) + 1);
  }
  if (counts.size === 0) return [];
  const points = [];
  for (let m = start; m <= end; m += 60_000) points.push([m, counts.get(m) ?? 0]);
  return points;
}

function normalizeChannel(c) {
  return { name: c.name, fields: c.fields ?? [], behavior: c.behavior, retention: minutes(c.retentionMinutes) };
}

/** Retention: 90 min, 72 h, 7 d */
function minutes(m) {
  if (m === undefined || m === null) return null;
  if (m < 120) return `${num(m)} min`;
  if (m % 1440 === 0 && m > 72 * 60) return `${num(m / 1440)} d`;
  return `${num(Math.round(m / 60))} h`;
}

const clip = (s, n) => (s.length > n ? s.slice(0, n - 1) + '…' : s);
