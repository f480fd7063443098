import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LakeStore } from '../lambdas/ports/lake.ts';
import { readAllKpis } from '../lambdas/usecases/read-kpis.ts';
import { type Route, sendJson } from './http.ts';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'dashboard');
const CHART_JS = path.join(path.dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');

const file = (name: string, type: string): Route => {
  const body = readFileSync(name);
  return (_req, res) => {
    res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
    res.end(body);
  };
};

/**
 * The twin's KPI dashboard at `/`: a static page drawing the published KPI tables with Chart.js. It reads the lake
 * only (aggregates, no profile ids). In AWS the same tables are queried with Athena (README: QuickSight recipe).
 */
export function dashboardRoutes(lake: LakeStore): Record<string, Route> {
  return {
    'GET /': file(path.join(DIR, 'index.html'), 'text/html; charset=utf-8'),
    'GET /dashboard/dashboard.js': file(path.join(DIR, 'dashboard.js'), 'text/javascript; charset=utf-8'),
    'GET /dashboard/chart.js': file(CHART_JS, 'text/javascript; charset=utf-8'),
    'GET /dashboard/kpis.json': async (_req, res) => {
      const tables = await readAllKpis(lake);
      sendJson(res, 200, {
        kpis: tables.map((t) => ({ name: t.kpi.name, group: t.kpi.group, title: t.kpi.title, chart: t.kpi.chart, snapshotDate: t.snapshotDate, rows: t.rows })),
      });
    },
  };
}
