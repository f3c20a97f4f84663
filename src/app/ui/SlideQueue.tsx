import { useRef, useState } from 'react';
import { cohortCsv, errorRow, reportRow, sortWorstFirst, type CohortRow } from '../../focus/qc/cohort.ts';
import { formatGrade } from '../../focus/grade.ts';
import { currentReport } from '../state/current-report.ts';
import { useFocusProgress } from '../state/focus-progress.ts';
import { reviewKey, reviewKeyOf, useReviews } from '../state/review-store.ts';
import { runQueue, useSlideQueue, type QueueItem } from '../state/slide-queue.ts';
import { useSlideStore } from '../state/slide-store.ts';
import { currentModel, useCurrentModel } from '../state/current-model.ts';
import { downloadText } from './download.ts';
import { useHeatmap } from './heatmap-context.ts';
import { frameRegion } from './RegionReview.tsx';

/** Toolbar button for the slide queue. */
export function SlideQueueButton() {
  const count = useSlideQueue((s) => s.items.length);
  return (
    <button type="button" onClick={() => useSlideQueue.getState().show(!useSlideQueue.getState().open)} data-testid="queue-toggle" title="Scan several slides one after the other and review them in a table">
      Slide queue{count ? ` (${count})` : ''}
    </button>
  );
}

type SortKey = 'name' | 'verdict' | 'percent' | 'regions' | 'decision';

/** Verdict order for sorting: worst first, as the cohort report. */
const VERDICT_RANK: Record<string, number> = { failed: 0, fail: 1, pass: 2 };

/**
 * Several slides scanned in turn with the heatmap's workers: a table of verdict, % of tissue out of focus, regions and
 * the reviewer's decision per slide (for the current model), sortable, exported as the CLI's cohort CSV; a row opens
 * its slide framed on its worst region.
 */
export function SlideQueue() {
  const heatmap = useHeatmap();
  const q = useSlideQueue();
  const model = useCurrentModel();
  const reviews = useReviews((s) => s.reviews);
  useFocusProgress((s) => s.scan?.cellsDone); // the row being scanned shows its progress
  const input = useRef<HTMLInputElement>(null);
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'verdict', desc: false });
  if (!q.open) return null;

  const start = () =>
    void runQueue({
      queue: useSlideQueue,
      slides: useSlideStore,
      progress: useFocusProgress,
      startScan: () => heatmap.startScan(),
      cancelScan: () => heatmap.cancelScan(),
      lastScan: () => heatmap.lastScan(),
      modelId: () => currentModel()?.id,
      report: currentReport,
    });

  const reportOf = (item: QueueItem) => (model ? item.reports[model.id] : undefined);
  // The decision is the reviewer's latest (it can be made after the scan), else the report's.
  const decisionOf = (item: QueueItem) => {
    const r = reportOf(item);
    return (r && reviews[reviewKeyOf(r.slide.name, r.slide.width, r.slide.height)]?.decision) ?? r?.decision ?? null;
  };
  const value = (item: QueueItem): string | number => {
    const r = reportOf(item);
    switch (sort.key) {
      case 'name':
        return item.name.toLowerCase();
      case 'verdict':
        return item.status === 'failed' ? VERDICT_RANK.failed! : r ? VERDICT_RANK[r.summary.verdict]! : 9;
      case 'percent':
        return r ? r.summary.outOfFocusPercent : -1;
      case 'regions':
        return r ? r.summary.regionCount : -1;
      case 'decision':
        return decisionOf(item) ?? '';
    }
  };
  const rows = [...q.items].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    const c = va < vb ? -1 : va > vb ? 1 : a.name.localeCompare(b.name);
    return sort.desc ? -c : c;
  });
  const header = (key: SortKey, label: string) => (
    <th aria-sort={sort.key === key ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
      <button type="button" className="link" onClick={() => setSort({ key, desc: sort.key === key ? !sort.desc : key === 'percent' || key === 'regions' })} data-testid={`queue-sort-${key}`}>
        {label}
      </button>
    </th>
  );

  const openItem = (item: QueueItem) => {
    const r = reportOf(item);
    void useSlideStore
      .getState()
      .openInput({ kind: 'file', file: item.file, name: item.name })
      .then(() => {
        // Framed on the worst region once the viewer shows the slide.
        if (!r?.regions[0]) return;
        const region = r.regions[0];
        const stop = useSlideStore.subscribe((s) => {
          if (s.status !== 'ready' && s.status !== 'error') return;
          stop();
          if (s.status === 'ready' && s.slide) {
            useReviews.getState().select(reviewKey(s.slide.info), 0);
            frameRegion(region);
          }
        });
      });
  };

  const exportCsv = () => {
    const cohort: CohortRow[] = q.items.flatMap((item): CohortRow[] => {
      const r = reportOf(item);
      if (r) {
        const decision = decisionOf(item);
        return [{ ...reportRow(r, item.name.replace(/\.[^.]+$/, '')), decision }];
      }
      if (item.status === 'failed') return [errorRow(item.name, item.name, item.error ?? 'could not be read', null, null)];
      return [];
    });
    downloadText(cohortCsv(sortWorstFirst(cohort)), 'cohort.csv', 'text/csv');
  };

  const done = q.items.filter((i) => reportOf(i)).length;
  return (
    <div className="slide-queue" role="dialog" aria-label="Slide queue" data-testid="slide-queue" data-running={q.running}>
      <div className="row">
        <strong>Slide queue</strong>
        <span className="muted">
          {done} of {q.items.length} scanned with {model?.label ?? 'no model'}
        </span>
        <div className="spacer" />
        <button type="button" onClick={() => q.show(false)} aria-label="Close the slide queue" data-testid="queue-close">
          ×
        </button>
      </div>
      <div className="row">
        <button type="button" onClick={() => input.current?.click()} data-testid="queue-add-button">
          Add slides…
        </button>
        <input
          ref={input}
          type="file"
          multiple
          hidden
          accept=".svs,.tif,.tiff,.ndpi,.scn,.bif,.btf"
          data-testid="queue-add"
          onChange={(e) => {
            q.add([...(e.currentTarget.files ?? [])]);
            e.currentTarget.value = '';
          }}
        />
        {q.running ? (
          <button type="button" onClick={() => useSlideQueue.setState({ stopping: true })} data-testid="queue-stop">
            Stop
          </button>
        ) : (
          <button type="button" onClick={start} disabled={!q.items.some((i) => i.status === 'waiting' || i.status === 'stopped')} data-testid="queue-start">
            Scan the waiting slides
          </button>
        )}
        <button type="button" onClick={exportCsv} disabled={done === 0 && !q.items.some((i) => i.status === 'failed')} data-testid="queue-export" title="The CLI's cohort.csv columns (focuslite report)">
          Export cohort CSV
        </button>
      </div>
      {q.items.length === 0 ? (
        <p className="muted">Add slides (or drop several slide files on the window): each is opened and scanned whole in turn.</p>
      ) : (
        <table className="queue-table" data-testid="queue-table">
          <thead>
            <tr>
              {header('name', 'Slide')}
              {header('verdict', 'Verdict')}
              {header('percent', '% out of focus')}
              {header('regions', 'Regions')}
              {header('decision', 'Decision')}
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((item) => {
              const r = reportOf(item);
              const verdict = r ? r.summary.verdict : item.status === 'failed' ? 'error' : '';
              return (
                <tr key={item.id} data-testid="queue-row" data-name={item.name} data-status={item.status} data-verdict={verdict} className={verdict}>
                  <td>
                    <button type="button" className="link" onClick={() => openItem(item)} title="Open this slide at its worst region" data-testid="queue-open">
                      {item.name}
                    </button>
                  </td>
                  <td>
                    {r ? (
                      <span className={`qc-verdict ${r.summary.verdict}`}>{r.summary.verdict.toUpperCase()}</span>
                    ) : item.status === 'scanning' ? (
                      `scanning ${item.percent.toFixed(0)} %`
                    ) : item.status === 'failed' ? (
                      <span title={item.error}>error: {item.error}</span>
                    ) : (
                      item.status
                    )}
                  </td>
                  <td>{r ? `${r.summary.outOfFocusPercent.toFixed(1)} %` : ''}</td>
                  <td>{r ? `${r.summary.regionCount}${r.regions[0] && r.summary.outOfFocusGrade !== null ? ` (worst grade ${formatGrade(r.regions[0].meanValue)})` : ''}` : ''}</td>
                  <td>{decisionOf(item) ?? ''}</td>
                  <td>
                    <button type="button" onClick={() => q.remove(item.id)} aria-label={`Remove ${item.name} from the queue`} disabled={item.status === 'opening' || item.status === 'scanning'}>
                      ×
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
