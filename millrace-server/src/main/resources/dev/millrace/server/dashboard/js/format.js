// Formatting shared by every page: times, durations, numbers and status badges.
import { h } from './dom.js';

const nf = new Intl.NumberFormat('en');

/** 12,345 */
export const num = n => (n === null || n === undefined ? '—' : nf.format(n));

/** 2026-11-24 19:31:05 in the browser's zone, or — */
export function time(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (isNaN(d)) return String(iso);
  const p = x => String(x).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** 1.2 s, 3 min 4 s, 2 h 5 min */
export function duration(ms) {
  if (ms === null || ms === undefined || isNaN(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** 19:31:05 today, 2026-11-23 19:31 before: for tables, where the full time is the cell's tooltip. */
export function shortTime(iso, now = new Date()) {
  if (!iso) return '—';
  const d = new Date(iso);
  const full = time(iso);
  return d.toDateString() === now.toDateString() ? full.slice(11) : full.slice(0, 16);
}

/** 19:31:05.123, for log lines, where the order within a second matters. */
export function clock(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  const p = (x, n = 2) => String(x).padStart(n, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** "3 min ago" */
export function ago(iso, now = Date.now()) {
  if (!iso) return '—';
  const ms = now - new Date(iso).getTime();
  if (ms < 0) return 'in ' + duration(-ms);
  return duration(ms) + ' ago';
}

/** The run time of a job record, or its wait so far. */
export function runTime(job) {
  if (!job.startedAt) return '—';
  const end = job.completedAt ? new Date(job.completedAt) : Date.now();
  return duration(end - new Date(job.startedAt));
}

/** A coloured badge for a job status. */
export function statusBadge(status) {
  return h(`span.badge.s-${String(status || '').toLowerCase()}`, status || '—');
}

/** Every job status in life order (JobStatus). */
export const STATUSES = ['HOLDING', 'QUEUED', 'PREPARING', 'PROCESSING', 'COMPLETED', 'ABORTED', 'FAILED'];
/** Every job type (JobType). */
export const TYPES = ['QUEUEABLE', 'FUTURE', 'BATCH', 'BATCH_CHUNK', 'SCHEDULED', 'EVENT_DELIVERY', 'FINALIZER'];
/** Statuses a job can still be aborted in. */
export const ABORTABLE = ['HOLDING', 'QUEUED', 'PREPARING', 'PROCESSING'];

/** The short class name: dev.millrace.examples.Foo → Foo, a nested Outer$Foo → Foo */
export const shortClass = c => (c ? c.slice(Math.max(c.lastIndexOf('.'), c.lastIndexOf('$')) + 1) : '—');

/** Words from an enum or camelCase name: maxActiveBatches → Max active batches */
export function label(key) {
  const s = String(key).replace(/_/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return s.charAt(0).toUpperCase() + s.slice(1);
}
