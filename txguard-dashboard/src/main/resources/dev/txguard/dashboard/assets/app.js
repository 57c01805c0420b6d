// txguard queue dashboard. Every value from the server goes into the page as text (textContent,
// never innerHTML), so job arguments and errors cannot become markup or script.
'use strict';
(function () {
  const STATES = ['scheduled', 'available', 'running', 'retryable', 'completed', 'failed', 'cancelled', 'discarded'];
  const main = document.getElementById('main');
  const status = document.getElementById('status');
  let session = null;
  let view = null;
  let timer = null;
  let chart = null;

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (k === 'text') e.textContent = v;
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined) continue;
      e.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function clear(node, ...children) {
    node.replaceChildren(...children.flat(Infinity).filter(c => c !== null && c !== undefined)
      .map(c => c instanceof Node ? c : document.createTextNode(String(c))));
  }

  async function api(path, options) {
    // from the origin and path only: a page opened as http://user:password@host/ has a base URL that
    // fetch refuses, and the browser sends the credentials it was given for this origin anyway
    const url = location.origin + location.pathname.replace(/[^/]*$/, '') + 'api/' + path;
    const res = await fetch(url, Object.assign({ credentials: 'same-origin', cache: 'no-store' }, options || {}));
    const text = await res.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch (e) { body = { error: text.trim() }; }
    if (!res.ok) throw new Error((body && body.error) || (res.status + ' ' + text.trim()));
    return body;
  }

  // whether a view's data is what it last drew: then the DOM is left alone (no flicker, buttons and
  // focus stay put while nothing changes)
  function unchanged(view, data) {
    const text = JSON.stringify(data);
    if (view.last === text) return true;
    view.last = text;
    return false;
  }

  function post(path) {
    return api(path, { method: 'POST', headers: { 'X-CSRF-Token': session.csrf } });
  }

  // the browser's local time, with its zone named: the CLI prints UTC
  function time(t) { return t ? new Date(t).toLocaleString(undefined, { timeZoneName: 'short' }) : ''; }
  function ago(ms) {
    if (ms === null || ms === undefined) return '–';
    const s = Math.max(0, Math.round(ms / 1000));
    if (s < 120) return s + ' s';
    if (s < 7200) return Math.round(s / 60) + ' min';
    return (s / 3600).toFixed(1) + ' h';
  }
  function stateCell(state) { const s = String(state).toLowerCase(); return el('td', { class: 'state state-' + s }, s); }
  function table(headers, rows, id) {
    return el('div', { class: 'table-wrap' }, el('table', { id: id },
      el('thead', {}, el('tr', {}, headers.map(h => el('th', { class: h.cls }, h.text || h)))),
      el('tbody', {}, rows)));
  }
  function jobLink(id) { return el('a', { href: '#/jobs/' + id }, '#' + id); }

  // ---- overview ----
  const overview = {
    mount() {
      clear(main,
        el('h2', {}, 'Jobs by state'), el('div', { class: 'cards', id: 'cards' }),
        el('h2', {}, 'Finished per minute, last hour ', el('span', { id: 'failure-rate', class: 'muted' })),
        el('div', { class: 'chart', id: 'chart' }),
        el('h2', {}, 'Queues'), el('div', { id: 'queues' }),
        el('h2', {}, 'Running attempts near the end of their lease'), el('div', { id: 'overdue' }),
        el('h2', {}, 'Leader'), el('div', { id: 'leader' }));
      chart = null;
    },
    async update() {
      const [o, t, p] = await Promise.all([api('overview'), api('throughput'), api('processes')]);
      if (unchanged(this, [o.queues, o.overdue, t.minutes, p])) return;
      const totals = {};
      STATES.forEach(s => { totals[s] = 0; });
      o.queues.forEach(q => Object.entries(q.counts).forEach(([s, n]) => { totals[s.toLowerCase()] += n; }));
      clear(document.getElementById('cards'), STATES.map(s => el('a', { class: 'card', href: '#/jobs?state=' + s },
        el('div', { class: 'n state-' + s, id: 'count-' + s }, totals[s]), el('div', { class: 'l' }, s))));
      clear(document.getElementById('queues'), table(
        ['queue'].concat(STATES.map(s => ({ text: s, cls: 'num' }))).concat([{ text: 'oldest available', cls: 'num' }]),
        o.queues.map(q => el('tr', {}, el('td', {}, q.queue),
          STATES.map(s => el('td', { class: 'num' }, q.counts[s.toUpperCase()] || 0)),
          el('td', { class: 'num', id: 'oldest-' + q.queue }, ago(q.oldestAvailableAge)))), 'queue-table'));
      clear(document.getElementById('overdue'), o.overdue.length === 0 ? el('p', { class: 'muted' }, 'none') : table(
        ['job', 'kind', 'queue', 'owner', 'attempt', 'lease expires'],
        o.overdue.map(a => el('tr', {}, el('td', {}, jobLink(a.id)), el('td', {}, a.kind), el('td', {}, a.queue),
          el('td', {}, a.owner), el('td', {}, a.attempt), el('td', {}, time(a.leaseExpiresAt))))));
      const leader = p.find(x => x.leader);
      clear(document.getElementById('leader'), el('p', {}, leader ? leader.owner : 'no process leads now',
        el('span', { class: 'muted' }, ' · ' + p.filter(x => x.alive).length + ' process(es) alive')));
      clear(document.getElementById('failure-rate'), 'failure rate ' + (t.failureRate * 100).toFixed(1) + ' %');
      drawChart(t);
    }
  };

  function drawChart(t) {
    const xs = t.minutes.map(m => Date.parse(m.start) / 1000);
    const data = [xs, t.minutes.map(m => m.completed), t.minutes.map(m => m.failed + m.discarded),
      t.minutes.map(m => m.cancelled)];
    const box = document.getElementById('chart');
    if (typeof uPlot === 'undefined' || !box) return;
    const width = Math.max(260, box.clientWidth - 10);
    if (!chart) {
      chart = new uPlot({ width: width, height: 220, series: [{},
        { label: 'completed', stroke: '#15803d', width: 2 },
        { label: 'failed + discarded', stroke: '#b91c1c', width: 2 },
        { label: 'cancelled', stroke: '#6b7280', width: 1 }],
        axes: [{}, { label: 'jobs/min' }] }, data, box);
    } else {
      if (Math.abs(chart.width - width) > 20) chart.setSize({ width: width, height: 220 });
      chart.setData(data);
    }
  }

  // ---- job list ----
  const jobs = {
    mount(params) {
      this.params = params;
      this.pages = [];
      const input = (name, placeholder) => el('input', { name: name, placeholder: placeholder, value: params.get(name) || '', size: 12 });
      const state = el('select', { name: 'state', id: 'filter-state' }, el('option', { value: '' }, 'any state'),
        STATES.map(s => el('option', { value: s, selected: params.get('state') === s }, s)));
      const form = el('form', { class: 'filters', onsubmit: (e) => {
        e.preventDefault();
        const q = new URLSearchParams();
        new FormData(form).forEach((v, k) => { if (v) q.set(k, v); });
        location.hash = '#/jobs?' + q.toString();
      } }, state, input('queue', 'queue'), input('kind', 'kind'), input('group', 'group'),
      el('button', { type: 'submit' }, 'Filter'));
      clear(main, el('h2', {}, 'Jobs'), form, el('div', { id: 'jobs' }),
        el('div', { class: 'actions' },
          el('button', { class: 'secondary', id: 'newer', onclick: () => { this.pages.pop(); refresh(); } }, '← newer'),
          el('button', { class: 'secondary', id: 'older', onclick: () => { this.pages.push(this.next); refresh(); } }, 'older →')),
        params.get('group') ? groupCancel(params.get('group')) : null);
    },
    async update() {
      const q = new URLSearchParams(this.params);
      const before = this.pages[this.pages.length - 1];
      if (before) q.set('before', before);
      const page = await api('jobs?' + q.toString());
      if (unchanged(this, [q.toString(), page])) return;
      this.next = page.nextBefore;
      document.getElementById('older').disabled = !page.nextBefore;
      document.getElementById('newer').disabled = this.pages.length === 0;
      clear(document.getElementById('jobs'), page.jobs.length === 0 ? el('p', { class: 'muted' }, 'no jobs') : table(
        ['id', 'kind', 'queue', 'state', { text: 'attempt', cls: 'num' }, { text: 'created', cls: 'hide-small' }, { text: 'group', cls: 'hide-small' }],
        page.jobs.map(j => el('tr', { 'data-id': j.id }, el('td', {}, jobLink(j.id)), el('td', {}, j.kind), el('td', {}, j.queue),
          stateCell(j.state), el('td', { class: 'num' }, j.attempt + '/' + j.maxAttempts),
          el('td', { class: 'hide-small' }, time(j.createdAt)), el('td', { class: 'hide-small' }, j.group || ''))), 'job-table'));
    }
  };

  function groupCancel(group) {
    const out = el('div', { id: 'group-result' });
    return el('div', {}, el('div', { class: 'actions' }, el('button', { class: 'danger', id: 'cancel-group',
      disabled: session.readOnly, onclick: async (e) => {
        if (!confirm('Cancel every unfinished job of group "' + group + '" and wait up to 10 s for running ones?')) return;
        e.target.disabled = true;
        try {
          const r = await post('groups/cancel?group=' + encodeURIComponent(group) + '&waitSeconds=10');
          clear(out, el('p', { class: 'message' }, 'cancelled ' + r.cancelled + ', waited for ' + r.waitedFor
            + ', still running ' + r.stillRunning));
        } catch (err) { clear(out, el('p', { class: 'message error' }, err.message)); }
        e.target.disabled = false;
        refresh();
      } }, 'Cancel group and wait')), out);
  }

  // ---- one job ----
  const job = {
    mount(params, id) {
      this.id = id;
      clear(main, el('h2', {}, 'Job #' + id), el('div', { id: 'job-message' }), el('div', { id: 'job' }));
    },
    async update() {
      const j = await api('jobs/' + this.id);
      if (unchanged(this, j)) return;
      const state = j.state.toLowerCase();
      const fields = [['state', el('span', {}, el('span', { class: 'state state-' + state, id: 'job-state' }, state),
        j.cancelRequested && state !== 'cancelled' ? el('span', { class: 'muted', id: 'job-cancel-requested' },
          state === 'running' ? ' cancel requested: stops when its handler checks' : ' cancel was requested') : null)],
        ['kind', j.kind], ['queue', j.queue], ['attempt', j.attempt + ' of ' + j.maxAttempts], ['priority', j.priority],
        ['group', j.group || '–'], ['unique key', j.uniqueKey || '–'], ['lease', j.leaseOwner ? j.leaseOwner + ' until ' + time(j.leaseExpiresAt) : '–']];
      const canRetry = state === 'failed' || state === 'discarded';
      // a running job asked to stop ends at its handler's next check of the request: nothing to ask again
      const canCancel = !['completed', 'failed', 'cancelled', 'discarded'].includes(state) && !j.cancelRequested;
      clear(document.getElementById('job'),
        el('div', { class: 'actions' },
          el('button', { id: 'retry', disabled: session.readOnly || !canRetry, onclick: () => act('retry') }, 'Retry'),
          el('button', { id: 'cancel', class: 'danger', disabled: session.readOnly || !canCancel, onclick: () => act('cancel') }, 'Cancel'),
          j.group ? el('a', { href: '#/jobs?group=' + encodeURIComponent(j.group) }, 'group "' + j.group + '"') : null),
        el('dl', { class: 'fields' }, fields.map(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])),
        el('h2', {}, 'Arguments'), el('pre', { id: 'job-args' }, pretty(j.argsJson)), cut(j.argsCut, j.limit, j.argsLength),
        j.resultJson ? [el('h2', {}, 'Result'), el('pre', { id: 'job-result' }, pretty(j.resultJson)),
          cut(j.resultCut, j.limit, j.resultLength)] : null,
        j.errorsCut ? el('p', { class: 'muted' }, 'long error messages and traces show their first ' + j.limit + ' characters') : null,
        el('h2', {}, 'Errors (' + j.errorCount + ')'),
        j.errorsLeftOut > 0 ? el('p', { class: 'muted', id: 'job-errors-left-out' }, 'the newest ' + j.errors.length
          + ' of ' + j.errorCount + ' errors; ' + j.errorsLeftOut + ' older ones are not shown') : null,
        el('div', { id: 'job-errors' }, j.errors.length === 0 ? el('p', { class: 'muted' }, 'none') : j.errors.map(e =>
          el('div', { class: 'error' }, el('p', {}, 'attempt ' + e.attempt + ' at ' + time(e.at) + ': ', el('strong', {}, e.error)),
            e.trace ? el('pre', {}, e.trace) : null))),
        el('h2', {}, 'Timeline'), el('ol', { class: 'timeline', id: 'job-timeline' }, timeline(j).map(([t, what]) =>
          el('li', {}, el('span', { class: 'muted' }, time(t) + ' '), what))));
    }
  };

  function timeline(j) {
    const events = [[j.createdAt, 'enqueued'], [j.runAt, 'to run (run-at)']];
    j.errors.forEach(e => events.push([e.at, 'attempt ' + e.attempt + ' failed: ' + e.error]));
    if (j.attemptedAt) events.push([j.attemptedAt, 'attempt ' + j.attempt + ' started']);
    if (j.finalizedAt) events.push([j.finalizedAt, 'ended ' + j.state.toLowerCase()]);
    return events.sort((a, b) => Date.parse(a[0]) - Date.parse(b[0]));
  }

  function cut(isCut, limit, length) {
    return isCut ? el('p', { class: 'muted' }, 'cut: the first ' + limit + ' of ' + length + ' characters') : null;
  }

  function pretty(json) {
    try { return JSON.stringify(JSON.parse(json), null, 2); } catch (e) { return String(json); }
  }

  async function act(what) {
    // a cancel cannot be undone (retry takes failed and discarded jobs only): ask first, as a group's cancel does
    if (what === 'cancel' && !confirm('Cancel job #' + job.id + '? A cancelled job cannot be retried.')) return;
    const box = document.getElementById('job-message');
    try {
      const r = await post('jobs/' + job.id + '/' + what);
      clear(box, el('p', { class: r.changed ? 'message' : 'message error' }, r.outcome));
    } catch (err) { clear(box, el('p', { class: 'message error' }, what + ' refused: ' + err.message)); }
    refresh();
  }

  // ---- schedules and processes ----
  const schedules = {
    mount() { clear(main, el('h2', {}, 'Periodic schedules'), el('div', { id: 'schedules' })); },
    async update() {
      const list = await api('schedules');
      if (unchanged(this, list)) return;
      clear(document.getElementById('schedules'), list.length === 0 ? el('p', { class: 'muted' }, 'no schedules recorded') : table(
        ['name', 'definition', 'last run', 'last job', 'next run'],
        list.map(s => el('tr', {}, el('td', {}, s.name), el('td', {}, s.definition), el('td', {}, time(s.lastRun)),
          el('td', {}, s.lastJobId ? [jobLink(s.lastJobId), ' ', (s.lastJobState || 'deleted').toLowerCase()] : '–'),
          el('td', {}, s.nextRun ? time(s.nextRun) : '–'))), 'schedule-table'));
    }
  };

  const processes = {
    mount() { clear(main, el('h2', {}, 'Queue processes'), el('div', { id: 'processes' })); },
    async update() {
      const list = await api('processes');
      if (unchanged(this, list)) return;
      clear(document.getElementById('processes'), list.length === 0 ? el('p', { class: 'muted' }, 'no process is working this queue') : table(
        ['owner', 'alive', 'leader', { text: 'running', cls: 'num' }, 'first lease expiry', { text: 'connected', cls: 'hide-small' }],
        list.map(p => el('tr', {}, el('td', {}, p.owner), el('td', {}, p.alive ? 'yes' : 'no (leases until rescue)'),
          el('td', {}, p.leader ? 'leader' : ''), el('td', { class: 'num' }, p.running), el('td', {}, time(p.firstLeaseExpiry)),
          el('td', { class: 'hide-small' }, time(p.connectedSince)))), 'process-table'));
    }
  };

  // ---- routing and refresh ----
  function route() {
    const hash = location.hash.replace(/^#/, '') || '/';
    const [path, query] = hash.split('?');
    const params = new URLSearchParams(query || '');
    const m = path.match(/^\/jobs\/(\d+)$/);
    if (m) return [job, params, m[1]];
    return [{ '/jobs': jobs, '/schedules': schedules, '/processes': processes }[path] || overview, params];
  }

  // one update at a time: a slow answer (a huge job, a busy database) must not pile requests up,
  // each holding a connection of the dashboard's small pool
  let updating = false;

  async function refresh() {
    if (!view || updating) return;
    updating = true;
    try {
      await view.update();
      status.className = 'status';
      status.textContent = (session.readOnly ? 'read-only · ' : '') + session.user + ' · updated ' + new Date().toLocaleTimeString();
    } catch (err) {
      status.className = 'status error';
      status.textContent = 'update failed: ' + err.message;
    } finally {
      updating = false;
    }
  }

  function show() {
    const [v, params, id] = route();
    view = v;
    v.last = null;
    v.mount(params, id);
    refresh();
  }

  async function start() {
    try {
      session = await api('session');
    } catch (err) {
      status.className = 'status error';
      status.textContent = 'cannot start: ' + err.message;
      return;
    }
    document.getElementById('schema').textContent = session.schema;
    window.addEventListener('hashchange', show);
    show();
    timer = setInterval(refresh, session.refreshMs);
  }

  start();
})();
