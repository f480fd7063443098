/* The twin's KPI dashboard: one chart per KPI, from the published KPI tables (GET /dashboard/kpis.json). */
/* global document, Chart */
'use strict';

const PALETTE = ['#3e7bfa', '#27ab83', '#f0b429', '#e12d39', '#8662c7', '#2bb0ed', '#616e7c'];

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  Object.assign(e, attrs || {});
  for (const c of children) e.append(c);
  return e;
}

function rowsFor(kpi) {
  const where = kpi.chart.where || {};
  return kpi.rows.filter((r) => Object.entries(where).every(([k, v]) => r[k] === v));
}

function draw(kpi) {
  const rows = rowsFor(kpi);
  const canvas = el('canvas', { id: `chart-${kpi.name}` });
  const section = el('section', { className: 'kpi', id: `kpi-${kpi.name}` }, el('h2', { textContent: kpi.group }), el('h3', { textContent: kpi.title }), el('div', { className: 'chart' }, canvas));
  document.getElementById('charts').append(section);
  if (rows.length === 0) {
    section.querySelector('.chart').replaceChildren(el('div', { className: 'empty', textContent: 'No data yet' }));
    return;
  }
  new Chart(canvas, {
    type: kpi.chart.type,
    data: {
      labels: rows.map((r) => String(r[kpi.chart.label] ?? 'unknown')),
      datasets: kpi.chart.series.map((s, i) => ({
        label: s.replaceAll('_', ' '),
        data: rows.map((r) => (typeof r[s] === 'number' ? r[s] : 0)),
        backgroundColor: PALETTE[i % PALETTE.length],
        borderColor: PALETTE[i % PALETTE.length],
        tension: 0.2,
      })),
    },
    options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { position: 'bottom' } }, scales: { y: { beginAtZero: true } } },
  });
  section.dataset.drawn = 'true';
}

function tiles(kpis) {
  const byName = Object.fromEntries(kpis.map((k) => [k.name, k]));
  const base = byName.customer_base?.rows.at(-1);
  const revenue = byName.revenue?.rows.find((r) => r.period === 'all');
  const out = [];
  if (base) out.push(['profiles', base.total_profiles], ['active', base.active]);
  if (revenue) out.push(['revenue', Math.round(revenue.revenue)], ['buyers', revenue.buyers]);
  document.getElementById('tiles').replaceChildren(...out.map(([k, v]) => el('span', { className: 'tile' }, el('b', { textContent: String(v) }), k)));
}

async function main() {
  const res = await fetch('/dashboard/kpis.json');
  const body = await res.json();
  const meta = document.getElementById('meta');
  if (body.kpis.length === 0) {
    meta.textContent = 'No KPIs published yet: run `npx cdp kpi refresh`.';
    return;
  }
  meta.textContent = `snapshot ${body.kpis[0].snapshotDate} · ${body.kpis.length} KPIs`;
  tiles(body.kpis);
  for (const kpi of body.kpis) draw(kpi);
  document.body.dataset.ready = 'true';
}

main().catch((e) => {
  document.getElementById('meta').textContent = `Could not load the KPIs (${e.message})`;
});
