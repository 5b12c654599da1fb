// Every page of the dashboard, and the navigation built from them.
// A feature adds its page here: a module exporting {id, title, path, render}, and a line in SECTIONS.
import overview from './overview.js';
import jobs from './jobs.js';
import job from './job.js';
import tenants from './tenants.js';
import tenant from './tenant.js';
import batches from './batches.js';
import schedules from './schedules.js';
import flags from './flags.js';
import channels from './channels.js';

/**
 * The pages the router knows. path may hold :params; role limits a page to 'admin' or 'tenant' keys;
 * parent names the navigation entry to highlight for a detail page.
 */
export const pages = [overview, jobs, job, batches, schedules, channels, flags, tenants, tenant];

const SECTIONS = [
  { heading: 'Monitor', ids: ['overview'] },
  { heading: 'Work', ids: ['jobs', 'batches', 'schedules', 'channels'] },
  { heading: 'Administer', ids: ['flags', 'tenants'] },
];

/** The navigation sections for a role, leaving out pages that role cannot open. */
export function navigation(role) {
  return SECTIONS.map(s => ({
    heading: s.heading,
    items: s.ids.map(id => pages.find(p => p.id === id)).filter(p => p && (!p.role || p.role === role)),
  })).filter(s => s.items.length > 0);
}
