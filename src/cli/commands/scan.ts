import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { defaultModelPath, displayPath } from '../../tools/model/node-model.ts';
import { COLORMAPS, type ColormapName } from '../../heatmap/colormaps.ts';
import { renderHeatmapImage, reportBase, reportCaption } from '../../heatmap/report-image.ts';
import { scanSlideFile, serveScanWorker, type ScanProgress } from '../../workers/node-scan.ts';
import { buildReport, type ReportSlideSource } from '../../focus/qc/report.ts';
import { buildFailure } from '../../focus/qc/cohort.ts';
import { describeCohort, writeCohortReport } from './report.ts';
import { formatArea } from '../../focus/qc/area.ts';
import { focusGeoJson } from '../../focus/qc/focus-geojson.ts';
import { formatGrade } from '../../focus/grade.ts';
import { verdictScale } from '../../focus/verdict-scale.ts';
import { parseProfile, profileFits } from '../../focus/calibration-profile.ts';
import { absoluteNormaliser } from '../../heatmap/normalise.ts';
import { readCardBeside } from '../model-card-file.ts';
import { groupDicomFiles, openSlideFile, parseDicomFilesPath } from '../../slide/node.ts';
import { dicomWebPath, listSlideSeries, parseDicomWebPath } from '../../slide/dicom/dicomweb.ts';
import type { Command } from '../main.ts';
import { EXIT } from '../exit-codes.ts';

const USAGE = `focuslite scan SLIDE... [--model M.onnx] [--out DIR] [--json] [--workers N] [--engine auto|onnxruntime|u8-kernel]
          [--threshold T | --calibration PROFILE.json] [--tolerance PERCENT] [--stride 128] [--png-width 1600] [--colormap viridis|inferno|jet] [--scale relative|absolute]
       focuslite scan --dicomweb BASE_URL --study UID [--series UID] [options as above]

  SLIDE is a slide file, or a folder holding one DICOM series (a level per file); DICOM files of one series given
  together are scanned as one slide.
  --dicomweb scans DICOM series from a DICOMweb service: the one given by --series, else every slide-microscopy (SM)
  series of the study. A bearer token, if the service needs one, is read from the DICOMWEB_TOKEN environment variable.
  --engine: what runs the model. auto (default): this project's exact integer kernel for its one-digit 'u8' models
  (the shipped ones), onnxruntime for any other; onnxruntime: always onnxruntime (the same scores, bit for bit; slower);
  u8-kernel: the kernel or an error.`;

function progressBar(name: string, p: ScanProgress): string {
  const frac = p.cellsTotal ? p.cellsDone / p.cellsTotal : 1;
  const width = 28;
  const filled = Math.round(frac * width);
  const rate = p.elapsedMs > 0 ? (p.megapixels / p.elapsedMs) * 1000 : 0;
  const eta = frac > 0 ? ((p.elapsedMs / frac) * (1 - frac)) / 1000 : 0;
  return `\r${name} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}%  ${rate.toFixed(0)} MP/s  ETA ${eta.toFixed(0)} s `;
}

/** A message with the folders of the given paths taken out, leaving file names (for records that others read). */
function withoutFolders(message: string, paths: readonly string[]): string {
  const folders = paths.flatMap((p) => [dirname(p), dirname(resolve(p))]).filter((d) => d !== '.' && d !== '/');
  // Longest first, so a folder is not half-replaced by its parent's entry.
  return [...new Set(folders)].sort((a, b) => b.length - a.length).reduce((m, d) => m.replaceAll(`${d}/`, ''), message);
}

/** A slide's report files are NAME.focus.*: its file name without a file extension. A DICOM series' name
 * (series-UID) and a folder's keep their dots: two series whose UIDs differ in the last part must not share reports. */
export function reportStem(name: string): string {
  return name.replace(/\.(svs|tiff?|ndpi|scn|bif|dcm|btf|jp2|png|jpe?g)$/i, '');
}

/** The report PNG's slide image (the same pixels as the app's export: heatmap/report-image.ts). */
async function readReportBase(path: string, width: number) {
  const slide = await openSlideFile(path);
  try {
    return await reportBase(slide, width);
  } finally {
    slide.close();
  }
}

const command: Command = {
  summary: 'Scan whole slides at level 0: QC report (JSON), per-cell CSV and heatmap PNG for each.',
  usage: USAGE,
  async run(argv) {
    if (argv[0] === '--internal-worker') {
      const { parentPort } = await import('node:worker_threads');
      if (!parentPort) throw new Error('--internal-worker is for worker threads');
      await serveScanWorker(parentPort);
      return EXIT.ok;
    }
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        model: { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean', default: false },
        workers: { type: 'string' },
        engine: { type: 'string', default: 'auto' },
        threshold: { type: 'string' },
        calibration: { type: 'string' },
        tolerance: { type: 'string', default: '5' },
        stride: { type: 'string', default: '128' },
        'png-width': { type: 'string', default: '1600' },
        colormap: { type: 'string', default: 'viridis' },
        scale: { type: 'string', default: 'relative' },
        dicomweb: { type: 'string' },
        study: { type: 'string' },
        series: { type: 'string' },
      },
    });
    if ((values.study !== undefined || values.series !== undefined) && values.dicomweb === undefined) {
      console.error('focuslite scan: --study and --series go with --dicomweb BASE_URL');
      return EXIT.usage;
    }
    if (values.dicomweb !== undefined && values.study === undefined) {
      console.error('focuslite scan: --dicomweb needs --study UID (and optionally --series UID)');
      return EXIT.usage;
    }
    // DICOM files of one series given together are one slide (a level per file).
    const slides = (await groupDicomFiles(positionals)).map((s) => s.path);
    if (values.dicomweb !== undefined) {
      const base = values.dicomweb;
      const study = values.study!;
      try {
        const series = values.series !== undefined ? [values.series] : await listSlideSeries(base, study, process.env.DICOMWEB_TOKEN);
        if (series.length === 0) {
          console.error(`focuslite scan: ${base}: the study ${study} has no slide-microscopy (SM) series`);
          return EXIT.failed;
        }
        slides.push(...series.map((uid) => dicomWebPath({ base, study, series: uid })));
      } catch (err) {
        console.error(`focuslite scan: ${err instanceof Error ? err.message : String(err)}`);
        return EXIT.failed;
      }
    }
    if (slides.length === 0) {
      console.error(`usage: ${USAGE}`);
      return EXIT.usage;
    }
    const modelPath = resolve(values.model ?? defaultModelPath());
    if (!existsSync(modelPath)) {
      console.error(`focuslite scan: model ${displayPath(modelPath)} not found; pass --model M.onnx`);
      return EXIT.failed;
    }
    const model = new Uint8Array(await readFile(modelPath));
    let card;
    try {
      card = await readCardBeside(modelPath);
    } catch (err) {
      console.error(`focuslite scan: ${err instanceof Error ? err.message : String(err)}`);
      return EXIT.failed;
    }
    if (values.threshold !== undefined && !Number.isFinite(Number(values.threshold))) {
      console.error(`focuslite scan: --threshold takes a raw model score, got '${values.threshold}'`);
      return EXIT.usage;
    }
    if (values.threshold !== undefined && values.calibration !== undefined) {
      console.error('focuslite scan: --threshold and --calibration both set the out-of-focus point; give one');
      return EXIT.usage;
    }
    let point: { grade?: number; score?: number } = {};
    let calibration: string | undefined;
    if (values.calibration !== undefined) {
      // A lab's calibration profile (focus/calibration-profile.ts) moves the out-of-focus point; the report names it.
      try {
        const profile = parseProfile(await readFile(resolve(values.calibration), 'utf8'));
        const wrong = profileFits(profile, { id: basename(modelPath).replace(/\.onnx$/i, ''), hasGradeScale: card.grade !== undefined });
        if (wrong) throw new Error(wrong);
        point = profile.scale === 'defocus grade' ? { grade: profile.outOfFocusFrom } : { score: profile.outOfFocusFrom };
        calibration = profile.name;
      } catch (err) {
        console.error(`focuslite scan: --calibration ${values.calibration}: ${err instanceof Error ? err.message : String(err)}`);
        return EXIT.failed;
      }
    } else if (values.threshold !== undefined) {
      // --threshold is a raw score (the report's summary.threshold); with a grade scale it moves the out-of-focus grade.
      point = { score: Number(values.threshold) };
    }
    const scale = verdictScale(card, point, calibration);
    if (!scale) {
      console.error('focuslite scan: the model card gives no out-of-focus threshold; pass --threshold T');
      return EXIT.usage;
    }
    const threshold = scale.threshold;
    const density = card.preprocessing?.density;
    const tolerance = Number(values.tolerance);
    const stride = Number(values.stride);
    const pngWidth = Number(values['png-width']);
    // By default the scan picks the worker threads by the slide's size (defaultScanWorkers).
    const workers = values.workers !== undefined ? Number(values.workers) : undefined;
    const engine = values.engine;
    if (engine !== 'auto' && engine !== 'onnxruntime' && engine !== 'u8-kernel') {
      console.error(`focuslite scan: --engine is auto, onnxruntime or u8-kernel, not ${engine}`);
      return EXIT.usage;
    }
    const colormap = values.colormap as ColormapName;
    if (!COLORMAPS.includes(colormap)) {
      console.error(`focuslite scan: unknown colormap ${values.colormap} (${COLORMAPS.join(', ')})`);
      return EXIT.usage;
    }
    if (![tolerance, stride, pngWidth, workers ?? 0].every((v) => Number.isFinite(v) && v >= 0) || stride < 1) {
      console.error('focuslite scan: --tolerance, --stride, --png-width and --workers take non-negative numbers (stride ≥ 1)');
      return EXIT.usage;
    }
    const outDir = values.out ? resolve(values.out) : undefined;
    if (outDir) await mkdir(outDir, { recursive: true });
    // Worker threads run the bundled CLI; from sources (tests) everything runs in this thread.
    const bundleUrl = /\.m?js$/.test(import.meta.url) ? import.meta.url : undefined;
    const showProgress = process.stderr.isTTY && !values.json;
    let failures = 0;
    let qcFailures = 0;

    for (const path of slides) {
      const web = parseDicomWebPath(path);
      const name = web ? `series-${web.series}` : (parseDicomFilesPath(path)?.name ?? basename(path));
      // Only locations the app opens by URL go into the report; never a local path (it can hold a patient's name).
      const source: ReportSlideSource | undefined = web
        ? { dicomweb: web.base, study: web.study, series: web.series }
        : /^https?:\/\//i.test(path) ? { url: path } : undefined;
      // The report's slide image does not depend on the scores: it is read while the slide is scanned.
      const base = outDir ? readReportBase(path, pngWidth || 1600) : undefined;
      base?.catch(() => undefined); // awaited below, after the scan's own errors
      try {
        const result = await scanSlideFile(path, {
          model,
          ...(density ? { density } : {}),
          stride,
          ...(workers !== undefined ? { workers } : {}),
          engine,
          ...(bundleUrl ? { bundleUrl } : {}),
          ...(showProgress ? { onProgress: (p: ScanProgress) => process.stderr.write(progressBar(name, p)) } : {}),
        });
        if (showProgress) process.stderr.write('\n');
        const report = buildReport({
          info: { ...result.info, name },
          map: result.map,
          modelId: basename(modelPath).replace(/\.onnx$/, ''),
          card,
          scale,
          tolerancePercent: tolerance,
          software: 'focuslite CLI',
          ...(source ? { source } : {}),
        });
        const level0 = result.info.levels[0]!;
        const seconds = result.elapsedMs / 1000;
        const s = report.summary;
        console.error(
          `${name}: ${level0.width}×${level0.height}, ${s.scoredTissueCells} tissue cells scored in ${seconds.toFixed(1)} s ` +
            `(${((level0.width * level0.height) / 1e6 / seconds).toFixed(1)} MP/s of slide), ${s.outOfFocusPercent.toFixed(1)}% of tissue out of focus ` +
            `(${formatArea(s.outOfFocusArea, s.areaUnit)}) in ${s.regionCount} region(s), ${s.borderlineCells} borderline cells, ` +
            `${s.outOfFocusGrade !== null ? `${s.scale} ≥ ${formatGrade(s.outOfFocusGrade)}` : `${s.scale} ≥ ${s.threshold.toFixed(2)}`}: ` +
            `${s.verdict.toUpperCase()}${s.failedCells ? `, ${s.failedCells} cells unreadable` : ''}`,
        );
        if (s.verdict === 'fail') qcFailures++;
        if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`);
        if (outDir) {
          const stem = join(outDir, reportStem(name));
          await writeFile(`${stem}.focus.json`, `${JSON.stringify(report, null, 1)}\n`);
          await writeFile(`${stem}.focus.csv`, result.map.toCsv());
          await writeFile(`${stem}.focus.geojson`, `${JSON.stringify(focusGeoJson({ map: result.map, scale, ...(result.info.mpp ? { mpp: result.info.mpp } : {}), slideName: name, modelId: report.model.id }))}\n`);
          const range = result.map.range.normaliser();
          const absolute = values.scale === 'absolute' ? absoluteNormaliser(card) : undefined;
          const normaliser = absolute ?? range ?? { lo: 0, hi: 1 };
          const image = renderHeatmapImage(result.map, await base!, level0.width, { colormap, normaliser, opacity: 0.6, threshold, caption: reportCaption(report) });
          await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), { raw: { width: image.width, height: image.height, channels: 4 } })
            .png()
            .toFile(`${stem}.focus.png`);
          await rm(`${stem}.focus-error.json`, { force: true }); // an earlier run's failure record is out of date
        }
      } catch (err) {
        if (showProgress) process.stderr.write('\n');
        failures++;
        const message = err instanceof Error ? err.message : String(err);
        console.error(`focuslite scan: ${name}: ${message}`);
        // A failure record, so the cohort report lists the slide as an error row (focus/qc/cohort.ts).
        if (outDir) {
          // The message names the file by its path; the record names it by its file name (paths can hold patient names).
          const said = source ? message : withoutFolders(message, [path, ...(parseDicomFilesPath(path)?.paths ?? [])]);
          const record = buildFailure(name, said, 'focuslite CLI', source);
          await writeFile(`${join(outDir, reportStem(name))}.focus-error.json`, `${JSON.stringify(record, null, 1)}\n`);
        }
      }
    }
    if (outDir && slides.length > 1) {
      // A multi-slide run ends with the cohort of the whole folder (`focuslite report DIR`).
      try {
        console.error(describeCohort(await writeCohortReport(outDir)));
      } catch (err) {
        console.error(`focuslite scan: cohort report: ${err instanceof Error ? err.message : String(err)}`);
        return EXIT.failed;
      }
    }
    // An unreadable slide wins over a QC FAIL: the caller's set of reports is incomplete (README "Exit codes").
    return failures > 0 ? EXIT.failed : qcFailures > 0 ? EXIT.qcFail : EXIT.ok;
  },
};
export default command;
