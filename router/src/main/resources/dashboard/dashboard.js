'use strict';
// The Gatehouse dashboard: polls api/v1/overview and rebuilds its tables. Every value from the
// node (hosts, paths, names) goes into the page as text, never as HTML.
(function () {
  const POLL_MS = 250;
  const SVG = 'http://www.w3.org/2000/svg';
  let query = '';

  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function row(cells) {
    const tr = document.createElement('tr');
    for (const c of cells) {
      const td = document.createElement('td');
      if (c instanceof Node) td.appendChild(c); else td.textContent = c === null || c === undefined ? '' : String(c);
      tr.appendChild(td);
    }
    return tr;
  }

  function fill(tableId, rows, emptyText, columns) {
    const body = document.querySelector('#' + tableId + ' tbody');
    if (rows.length === 0) {
      const td = el('td', 'empty', emptyText);
      td.colSpan = columns;
      const tr = document.createElement('tr');
      tr.appendChild(td);
      body.replaceChildren(tr);
    } else {
      body.replaceChildren(...rows);
    }
  }

  function lines(values) {
    const f = document.createDocumentFragment();
    values.forEach((v, i) => {
      if (i > 0) f.appendChild(document.createElement('br'));
      f.appendChild(document.createTextNode(v));
    });
    return f;
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return '';
    const d = Math.floor(seconds / 86400), h = Math.floor(seconds % 86400 / 3600), m = Math.floor(seconds % 3600 / 60);
    return d > 0 ? d + 'd ' + h + 'h' : h > 0 ? h + 'h ' + m + 'm' : m + 'm ' + (seconds % 60) + 's';
  }

  function renderNode(n) {
    const box = document.getElementById('node');
    const fact = (label, value) => {
      const s = el('span', null, label + ' ');
      s.appendChild(el('b', null, value));
      return s;
    };
    box.replaceChildren(
      fact('ready', n.ready ? 'yes' : 'no'),
      fact('generation', n.generation),
      fact('routes', n.routes),
      fact('in flight', n.inFlight),
      fact('uptime', duration(n.uptimeSeconds)),
      fact('version', n.version));
  }

  function renderRates(r) {
    document.getElementById('rps').textContent = r.requestsPerSecond.toFixed(2);
    document.getElementById('eps').textContent = r.errorsPerSecond.toFixed(2);
    const svg = document.getElementById('spark');
    const max = Math.max(1, ...r.requests);
    const w = 240 / r.requests.length;
    const bars = [];
    r.requests.forEach((v, i) => {
      for (const [value, cls] of [[v, 'req'], [r.errors[i], 'err']]) {
        if (value <= 0) continue;
        const h = Math.max(1, 40 * value / max);
        const rect = document.createElementNS(SVG, 'rect');
        rect.setAttribute('class', cls);
        rect.setAttribute('x', String(i * w));
        rect.setAttribute('y', String(40 - h));
        rect.setAttribute('width', String(Math.max(1, w - 0.5)));
        rect.setAttribute('height', String(h));
        bars.push(rect);
      }
    });
    svg.replaceChildren(...bars);
  }

  function renderProblems(p) {
    const items = [];
    const since = t => t ? ' (since ' + new Date(t).toLocaleString() + ')' : '';
    for (const r of p.routes) items.push('route ' + r.route + ': ' + r.reason + since(r.since));
    if (p.file && p.file.lastError) items.push('routes file ' + p.file.file + ': ' + p.file.lastError + since(p.file.since));
    if (p.configReload) items.push('configuration reload refused (the node keeps its settings): ' + p.configReload.detail + since(p.configReload.since));
    if (p.kubernetes && p.kubernetes.enabled && !p.kubernetes.synced) items.push('Kubernetes: not synced yet');
    if (p.kubernetes) for (const h of p.kubernetes.held) items.push('Kubernetes ' + h.object + ': ' + h.reason + ': ' + h.message);
    if (p.kubernetes && p.kubernetes.problems) {
      for (const o of p.kubernetes.problems) items.push('Kubernetes ' + o.kind + ' ' + o.object + ': ' + o.reason + ': ' + o.message + since(o.since));
      const more = (p.kubernetes.problemsTotal || 0) - p.kubernetes.problems.length;
      if (more > 0) items.push('Kubernetes: ' + more + ' more problems (the newest are listed)');
    }
    for (const e of p.ejected) items.push('endpoint ' + e.endpoint + ' ejected (' + e.reason + ', by ' + e.by + ') until ' + e.expires);
    for (const e of p.failingChecks) items.push('endpoint ' + e + ' fails its health check');
    document.getElementById('problem-count').textContent = items.length ? '(' + items.length + ')' : '';
    const list = document.getElementById('problems');
    if (items.length === 0) {
      list.replaceChildren(el('li', 'none', 'none'));
    } else {
      list.replaceChildren(...items.map(t => el('li', null, t)));
    }
    renderRecent(p.recent || []);
  }

  function renderRecent(recent) {
    const time = t => t ? new Date(t).toLocaleString() : '';
    const rows = recent.map(r => {
      const state = r.resolved ? el('span', 'resolved', 'resolved ' + time(r.resolved)) : el('span', 'open', 'current');
      const tr = row([time(r.appeared), state, r.kind, r.subject, r.message]);
      tr.dataset.kind = r.kind;
      if (r.resolved) tr.className = 'resolved';
      return tr;
    });
    document.getElementById('recent-count').textContent = recent.length ? '(' + recent.length + ')' : '';
    fill('recent', rows, 'no problem seen since this node started', 5);
  }

  function counted(id, section) {
    const shown = section.items.length;
    document.getElementById(id).textContent = query
      ? '(' + section.matching + ' of ' + section.total + ' match' + (shown < section.matching ? ', first ' + shown + ' shown' : '') + ')'
      : '(' + section.total + (shown < section.total ? ', first ' + shown + ' shown' : '') + ')';
  }

  function renderRoutes(routes) {
    counted('route-count', routes);
    const rows = routes.items.map(r => {
      const tr = row([
        lines(r.hosts.length ? r.hosts : ['*']),
        lines(r.paths.length ? r.paths.map(p => p.value + (p.type === 'prefix' ? '' : ' (' + p.type + ')')) : ['/']),
        lines(r.backends.map(b => (b.backend || b.kind) + (r.backends.length > 1 ? ' ×' + b.weight : '') + (b.canary ? ' (canary)' : ''))),
        r.tenant,
        r.source,
        r.name,
        r.policies.join(', ') + (r.tls ? (r.policies.length ? ', ' : '') + 'TLS' : '')]);
      tr.dataset.routeId = r.id;
      return tr;
    });
    fill('routes', rows, query ? 'no route matches' : 'no routes', 7);
  }

  function renderBackends(backends) {
    counted('backend-count', backends);
    const rows = backends.items.map(b => {
      const eps = document.createDocumentFragment();
      for (const e of b.endpoints) eps.appendChild(el('span', 'ep ' + e.state, e.address));
      if (b.endpoints.length === 0) eps.appendChild(el('span', 'more', 'no endpoints'));
      const tr = row([b.backend, b.kind, b.protocol + (b.tls ? ' + TLS' : ''), eps, lines(b.routes)]);
      tr.dataset.backend = b.backend;
      return tr;
    });
    fill('backends', rows, query ? 'no backend matches' : 'no backends', 5);
  }

  function renderNodes(nodes) {
    document.getElementById('table-generation').textContent = '(table generation ' + nodes.tableGeneration + ')';
    const rows = nodes.members.map(m => row([
      m.id + (m.local ? ' (this node)' : ''), m.address, m.servedGeneration, duration(m.uptimeSeconds), m.version]));
    fill('nodes', rows, 'no members', 5);
  }

  function renderCertificates(certs) {
    const rows = certs.map(c => {
      const left = el('span', c.daysLeft < 0 ? 'expired' : c.expiringSoon ? 'soon' : null, c.daysLeft);
      return row([c.name, c.tenant, lines(c.dnsNames), c.notAfter, left, c.source]);
    });
    fill('certificates', rows, 'no certificates (HTTPS is off, or none is loaded)', 6);
  }

  function connection(state, text) {
    const c = document.getElementById('connection');
    c.dataset.state = state;
    c.textContent = text;
  }

  async function poll() {
    try {
      const res = await fetch('api/v1/overview?q=' + encodeURIComponent(query), { cache: 'no-store' });
      if (!res.ok) throw new Error('HTTP ' + res.status);
      const data = await res.json();
      renderNode(data.node);
      renderRates(data.rates);
      renderProblems(data.problems);
      renderRoutes(data.routes);
      renderBackends(data.backends);
      renderNodes(data.nodes);
      renderCertificates(data.certificates);
      connection('live', 'live');
      document.getElementById('updated').textContent = 'Updated ' + new Date().toLocaleTimeString() + '.';
    } catch (e) {
      // shown on the page, not thrown: the node may be restarting
      connection('down', 'cannot reach the node: ' + e.message);
    } finally {
      setTimeout(poll, POLL_MS);
    }
  }

  document.getElementById('filter').addEventListener('input', e => { query = e.target.value.trim(); });
  poll();
})();
