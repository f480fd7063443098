import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { functions } from '../lib/definitions.ts';
import type { Benchmark, Figure } from './types.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const DIR = path.join(ROOT, '.bench', 'import');
const SIZES = (process.env.BENCH_IMPORT_ROWS ?? '1000000,5000000').split(',').map(Number);
const RSS_LIMIT_MB = 256;

const FIRST = ['MARIO', 'GIULIA', 'NICCOLÒ', 'LUCA', 'CHIARA', 'FRANCESCA', 'ANDREA', 'SOFIA', 'MATTEO', 'ELENA', 'DAVIDE', 'MARTINA'];
const LAST = ['ROSSI', "D'ANGELO", 'BIANCHI', 'ESPOSITO', 'FERRARI', 'DE LUCA', 'GALLO', 'CONTI', 'MARINO', 'GRECO', 'BRUNO', 'COLOMBO'];
const PLACES = [
  ['Milano', 'MI', '20121'],
  ['Roma', 'RM', '00184'],
  ['Forlì', 'FC', '47121'],
  ['Napoli', 'NA', '80121'],
  ['Torino', 'TO', '10121'],
  ['Bari', 'BA', '70121'],
];

/** A Windows-1252, `;`-separated ERP export with Italian headers and values, about 130 bytes a row. */
async function generate(rows: number, file: string): Promise<void> {
  const tmp = `${file}.tmp`;
  const out = createWriteStream(tmp);
  let buf = 'Codice cliente;Ragione sociale;Nome;Cognome;E-mail;Cellulare;Indirizzo;CAP;Città;Provincia;Data di nascita;Consenso marketing;Totale acquisti\r\n';
  for (let i = 0; i < rows; i++) {
    const p = PLACES[i % PLACES.length]!;
    const bad = i % 1000 === 999; // 0.1% of rows have nothing usable: they must be quarantined
    buf +=
      `${bad ? '' : `C${i}`};${i % 10 === 0 ? 'Rossi Impianti S.R.L.' : ''};${FIRST[i % 12]};${LAST[(i >> 4) % 12]};` +
      `${bad ? 'non-una-email' : `cliente${i}@esempio.it`};${bad ? '' : `+39 3${String(310000000 + ((i * 7919) % 89999999)).slice(0, 9)}`};` +
      `Via Garibaldi ${i % 200};${p[2]};${p[0]};${p[1]};${String((i % 28) + 1).padStart(2, '0')}/${String((i % 12) + 1).padStart(2, '0')}/19${50 + (i % 50)};` +
      `${i % 3 ? 'Sì' : 'No'};${i % 5000},${String(i % 100).padStart(2, '0')}\r\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(Buffer.from(buf, 'latin1'))) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = '';
    }
  }
  out.write(Buffer.from(buf, 'latin1'));
  await new Promise<void>((resolve, reject) => out.end((e?: Error) => (e ? reject(e) : resolve())));
  renameSync(tmp, file);
}

function measure(mode: 'baseline' | 'import', file: string): { rows: number; seconds: number; rowsPerSecond: number; peakRssMB: number } {
  // Both runs get the import Lambda's V8 flags (NODE_OPTIONS), so the baseline runs as the import does.
  const res = spawnSync(process.execPath, [...(functions.ingestFile.nodeOptions ?? []), '--import', 'tsx', path.join(ROOT, 'bench', 'import-worker.ts'), mode, file], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'ERROR' },
  });
  if (res.status !== 0) throw new Error(`${mode} run failed: ${res.stderr}`);
  return JSON.parse(res.stdout);
}

const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

export const importBench: Benchmark = {
  name: 'import',
  description: `whole import stage on generated Windows-1252 ';' exports (${SIZES.map((n) => `${n / 1e6}M`).join(', ')} rows) vs bare csv-parse on the same file; each in its own process`,
  async run(): Promise<Figure[]> {
    mkdirSync(DIR, { recursive: true });
    const figures: Figure[] = [];
    for (const rows of SIZES) {
      const file = path.join(DIR, `export-${rows}.csv`);
      if (!existsSync(file)) await generate(rows, file);
      const label = `${rows / 1e6}M`;
      const base = measure('baseline', file);
      const imp = measure('import', file);
      figures.push(
        { name: `${label}.fileMB`, value: round(statSync(file).size / 1e6, 0), unit: 'MB' },
        {
          name: `${label}.rowsPerSecond`,
          value: Math.round(imp.rowsPerSecond),
          baseline: Math.round(base.rowsPerSecond),
          unit: 'rows/s',
          ratio: round(imp.rowsPerSecond / base.rowsPerSecond),
          target: '≥ 0.5× bare csv-parse',
          ok: imp.rowsPerSecond / base.rowsPerSecond >= 0.5,
        },
        {
          name: `${label}.peakRssMB`,
          value: round(imp.peakRssMB, 0),
          baseline: round(base.peakRssMB, 0),
          unit: 'MB',
          target: `≤ ${RSS_LIMIT_MB} MB`,
          ok: imp.peakRssMB <= RSS_LIMIT_MB,
        },
      );
    }
    return figures;
  },
};
