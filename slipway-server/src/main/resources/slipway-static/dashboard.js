// The model dashboard (GET /models/{m}/dashboard): loads the panels' JSON every few seconds and
// draws them with uPlot. Everything taken from an answer is put in the page as text, never as HTML.
//
// Each panel has ONE adapter that turns its endpoint's answer into plot series:
//   [{label: 'version 1', points: [[tSeconds, value], ...]}, ...]
// An endpoint answering 404, or an adapter returning no points, shows "no data yet". The drift,
// performance and rollout endpoints belong to other parts of Slipway; their adapters state the shape
// they assume, so that only the adapter changes when a shape does.
(function () {
  'use strict';
  const root = document.getElementById('dashboard');
  const model = root.dataset.model;
  const api = '/api/v1/models/' + encodeURIComponent(model);
  const refreshMs = Number(root.dataset.refreshMs) || 5000;
  const COLORS = ['#1e5eff', '#e8590c', '#2b8a3e', '#ae3ec9', '#c92a2a', '#0b7285', '#5f3dc4',
    '#868e96', '#f08c00', '#364fc7'];
  const plots = {};

  /** The JSON of a GET, or null for a 404 (the endpoint or the model's data does not exist yet). */
  async function getJson(url) {
    const r = await fetch(url, {headers: {Accept: 'application/json'}});
    if (r.status === 404) return null;
    if (!r.ok) {
      let msg = 'HTTP ' + r.status;
      try { msg += ': ' + (await r.json()).error; } catch (e) { /* not JSON */ }
      throw new Error(msg);
    }
    return r.json();
  }

  /** Epoch seconds from epoch milliseconds, epoch seconds or an ISO-8601 string. */
  function seconds(t) {
    if (typeof t === 'string') return /^\d+(\.\d+)?$/.test(t) ? seconds(Number(t)) : Date.parse(t) / 1000;
    if (typeof t !== 'number') return NaN;
    return t > 1e11 ? t / 1000 : t;
  }

  /** Groups [{t, <key>, value}] points into series labelled by label(key). */
  function byKey(points, key, label, value) {
    const series = new Map();
    for (const p of points || []) {
      const y = value(p);
      const x = seconds(p.t !== undefined ? p.t : (p.time !== undefined ? p.time : p.window_start));
      if (typeof y !== 'number' || !isFinite(y) || !isFinite(x)) continue;
      const l = label(p[key]);
      if (!series.has(l)) series.set(l, []);
      series.get(l).push([x, y]);
    }
    return [...series.entries()].map(([l, pts]) => ({label: l, points: pts}));
  }

  const version = v => (v === undefined || v === null ? 'all versions' : 'version ' + v);
  const valueOf = p => p.value;

  // ---- adapters -------------------------------------------------------------------------------
  // History (this server, GET {api}/history):
  //   {"series": {"requests": [{"t": epochMs, "version": 1, "value": reqPerSecond}],
  //               "latency_p50"|"latency_p95"|"latency_p99": [{"t", "version", "value": ms}],
  //               "error_rate"|"fallback_rate": [{"t", "value": ratio}]}}
  function trafficAdapter(h) {
    return byKey(h.series.requests, 'version', version, valueOf);
  }
  function latencyAdapter(h) {
    const out = [];
    for (const q of ['p50', 'p95', 'p99']) {
      for (const s of byKey(h.series['latency_' + q], 'version', version, valueOf)) {
        out.push({label: s.label + ' ' + q, points: s.points});
      }
    }
    return out;
  }
  function ratesAdapter(h) {
    return [
      {label: 'error rate', points: byKey(h.series.error_rate, 'none', () => '', valueOf).flatMap(s => s.points)},
      {label: 'fallback rate', points: byKey(h.series.fallback_rate, 'none', () => '', valueOf).flatMap(s => s.points)},
    ].filter(s => s.points.length);
  }
  // Drift (GET {api}/drift, MonitoringService):
  //   {"features": [{"feature": "hour", "kind": "numeric", "statistic": "psi",
  //                  "points": [{"time": ISO, "version": 1, "value": .03, "drifted": false}]}],
  //    "prediction": [{"statistic": "psi", "points": [...]}]}
  // One line per feature (and one for the predictions) of PSI, the statistic both numeric and
  // categorical features have.
  function driftAdapter(d) {
    const out = [];
    for (const f of d.features || []) {
      if (f.statistic !== 'psi') continue;
      out.push(...byKey(f.points, 'version', v => f.feature + ' (' + version(v) + ')', valueOf));
    }
    for (const f of d.prediction || []) {
      if (f.statistic !== 'psi') continue;
      out.push(...byKey(f.points, 'version', v => 'prediction (' + version(v) + ')', valueOf));
    }
    return out;
  }
  // Live performance (GET {api}/performance?window=1h, MonitoringService):
  //   {"series": {"accuracy": [{"time": ISO, "version": 1, "value": .9}], "auc": [...],
  //               "log_loss": [...], "count": [...], "ece": [...]}}
  function liveAdapter(p) {
    const metrics = ['accuracy', 'auc', 'log_loss'];
    const out = [];
    for (const m of metrics) {
      const pts = Array.isArray(p.series) ? p.series : (p.series || {})[m];
      const val = Array.isArray(p.series) ? (x => x[m]) : valueOf;
      for (const s of byKey(pts, 'version', version, val)) out.push({label: s.label + ' ' + m, points: s.points});
    }
    return out;
  }
  // Rollout (GET {api}/rollout, RolloutService; 404 when the model never had one):
  //   {"status": "RUNNING", "stable": 1, "candidate": 2, "percent": 25, "step": 1,
  //    "decisions": [{"at": ISO, "step": 1, "percent": 25, "outcome": "NEXT", "reason": "...",
  //                   "numbers": {...}}]}
  // Returns {state: [[name, value]], decisions: [{time, action, reason, numbers}]} or null.
  function rolloutAdapter(r) {
    const state = [];
    const names = {status: 'state', stable: 'stable version', candidate: 'candidate version',
      percent: 'candidate traffic %', step: 'step'};
    for (const [k, label] of Object.entries(names)) {
      if (r[k] !== undefined && r[k] !== null) state.push([label, String(r[k])]);
    }
    const decisions = (r.decisions || []).map(d => ({
      time: d.at,
      action: d.outcome + (d.percent !== undefined ? ' (' + d.percent + ' %)' : ''),
      reason: d.reason,
      numbers: d.numbers,
    }));
    return state.length || decisions.length ? {state, decisions} : null;
  }

  // ---- drawing --------------------------------------------------------------------------------
  /** uPlot's columnar data: the union of the series' times and each series' values (null = gap). */
  function align(series) {
    const xs = [...new Set(series.flatMap(s => s.points.map(p => p[0])))].sort((a, b) => a - b);
    const cols = series.map(s => {
      const m = new Map(s.points);
      return xs.map(x => (m.has(x) ? m.get(x) : null));
    });
    return [xs, ...cols];
  }

  function panelOf(id) {
    return document.getElementById('panel-' + id);
  }

  function placeholder(panel, text, isError) {
    const p = panel.querySelector('.empty');
    p.textContent = text;
    p.className = isError ? 'empty err' : 'empty';
    p.hidden = false;
  }

  function empty(id, text) {
    const panel = panelOf(id);
    if (plots[id]) { plots[id].u.destroy(); delete plots[id]; }
    placeholder(panel, text || 'no data yet', false);
    panel.dataset.state = 'empty';
  }

  function failed(id, error) {
    const panel = panelOf(id);
    placeholder(panel, 'could not load: ' + error.message, true);
    panel.dataset.state = 'error';
  }

  function draw(id, series, unit) {
    series = series.filter(s => s.points.length);
    if (!series.length) { empty(id); return; }
    const panel = panelOf(id);
    const el = panel.querySelector('.plot');
    const data = align(series);
    const key = series.map(s => s.label).join('\u0000');
    if (plots[id] && plots[id].key === key) {
      plots[id].u.setData(data);
    } else {
      if (plots[id]) plots[id].u.destroy();
      const opts = {
        width: Math.max(300, el.clientWidth || 600),
        height: 220,
        scales: {x: {time: true}},
        series: [{}].concat(series.map((s, i) => ({
          label: s.label, stroke: COLORS[i % COLORS.length], width: 2, points: {show: true, size: 5},
        }))),
        axes: [{}, {label: unit, size: 60}],
      };
      plots[id] = {key, u: new uPlot(opts, data, el)};
    }
    panel.querySelector('.empty').hidden = true;
    panel.dataset.state = 'drawn';
    panel.dataset.points = String(series.reduce((n, s) => n + s.points.length, 0));
  }

  function showRollout(r) {
    const panel = panelOf('rollout');
    const dl = document.getElementById('rollout-state');
    const table = document.getElementById('rollout-decisions');
    const body = table.querySelector('tbody');
    dl.replaceChildren();
    body.replaceChildren();
    if (!r) {
      table.hidden = true;
      placeholder(panel, 'no data yet', false);
      panel.dataset.state = 'empty';
      return;
    }
    for (const [k, v] of r.state) {
      const dt = document.createElement('dt'); dt.textContent = k;
      const dd = document.createElement('dd'); dd.textContent = v;
      dl.append(dt, dd);
    }
    for (const d of r.decisions) {
      const tr = document.createElement('tr');
      const t = seconds(d.time);
      const cells = [isFinite(t) ? new Date(t * 1000).toISOString() : String(d.time), d.action, d.reason,
        d.numbers === undefined ? '' : JSON.stringify(d.numbers)];
      for (const c of cells) {
        const td = document.createElement('td'); td.textContent = c === undefined ? '' : String(c);
        tr.append(td);
      }
      body.append(tr);
    }
    table.hidden = r.decisions.length === 0;
    panel.querySelector('.empty').hidden = true;
    panel.dataset.state = 'drawn';
  }

  // ---- refresh --------------------------------------------------------------------------------
  async function panel(ids, url, render) {
    try {
      const body = await getJson(url);
      if (body === null) { ids.forEach(id => (id === 'rollout' ? showRollout(null) : empty(id))); return; }
      render(body);
    } catch (e) {
      ids.forEach(id => failed(id, e));
    }
  }

  async function refresh() {
    const span = Number(document.getElementById('range').value) || 3600;
    const to = Date.now();
    const q = '?from=' + (to - span * 1000) + '&to=' + to;
    const iso = '?from=' + new Date(to - span * 1000).toISOString() + '&to=' + new Date(to).toISOString();
    await Promise.all([
      panel(['traffic', 'latency', 'rates'], api + '/history' + q, h => {
        draw('traffic', trafficAdapter(h), 'requests/s');
        draw('latency', latencyAdapter(h), 'ms');
        draw('rates', ratesAdapter(h), 'ratio');
      }),
      // the monitoring endpoints take ISO-8601 instants
      panel(['drift'], api + '/drift' + iso, d => draw('drift', driftAdapter(d), 'drift')),
      panel(['live'], api + '/performance' + iso + '&window=' + (span <= 3600 ? '5m' : '1h'),
        p => draw('live', liveAdapter(p), 'metric')),
      panel(['rollout'], api + '/rollout', r => showRollout(rolloutAdapter(r))),
    ]);
    document.getElementById('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
    root.dataset.refreshed = String(Number(root.dataset.refreshed || 0) + 1);
  }

  let running = false;
  async function tick() {
    if (running) return;
    running = true;
    try { await refresh(); } finally { running = false; }
  }
  document.getElementById('range').addEventListener('change', tick);
  window.addEventListener('resize', () => {
    for (const id of Object.keys(plots)) {
      const el = panelOf(id).querySelector('.plot');
      plots[id].u.setSize({width: Math.max(300, el.clientWidth), height: 220});
    }
  });
  tick();
  setInterval(tick, refreshMs);
})();
