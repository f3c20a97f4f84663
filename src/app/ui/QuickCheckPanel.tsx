import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { batchRange, sharedNormaliser, type HeatmapScale } from '../../heatmap/patch-map.ts';
import {
  countRecords,
  exportRows,
  filterRecords,
  sortRecords,
  toCsv,
  toJson,
  judgeRecord,
  hasNoTissue,
  type SortKey,
  type VerdictFilter,
} from '../check/results.ts';
import { COLORMAPS, type ColormapName } from '../../heatmap/colormaps.ts';
import { useCheckStore, type CheckItem, type ExampleMark } from '../state/check-store.ts';
import { useShallow } from 'zustand/react/shallow';
import { useCurrentModel, useCurrentProfile } from '../state/current-model.ts';
import { useFocusSettings } from '../state/focus-settings.ts';
import { activeThreshold, MODELS, type ModelEntry, type Threshold } from '../state/models.ts';
import { formatThreshold } from '../../focus/verdict-scale.ts';
import { downloadText } from './download.ts';
import { CalibrationControl } from './CalibrationControl.tsx';
import { CalibrationFit, markedExamples } from './CalibrationFit.tsx';
import { QuickCheckRow } from './QuickCheckRow.tsx';
import { useQuickCheck } from './quick-check-context.ts';

const ACCEPT = '.png,.jpg,.jpeg,.tif,.tiff,image/png,image/jpeg,image/tiff';

const SORTS: { value: string; label: string }[] = [
  { value: 'added:asc', label: 'order added' },
  { value: 'score:desc', label: 'score, blurriest first' },
  { value: 'score:asc', label: 'score, sharpest first' },
  { value: 'name:asc', label: 'name A–Z' },
  { value: 'name:desc', label: 'name Z–A' },
];

const SOURCE_NOTE: Record<Threshold['source'], string> = {
  user: 'your threshold',
  profile: 'the calibration profile',
  card: "the model card's threshold",
  batch: "this model's card has no threshold: using the midpoint of this batch's lowest and highest scores (uncalibrated)",
  none: "this model's card has no threshold: set one, or check at least two files",
};

/** Rows mounted at a time; more as the list is scrolled (mounting a thousand rows at once stalls the page). */
const PAGE = 150;

const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer.types).includes('Files');

/** The quick check: drop or pick image tiles, see their focus scores and verdicts, sort, filter, export. */
export function QuickCheckPanel() {
  const s = useCheckStore();
  const quickCheck = useQuickCheck();
  // Only what is drawn: the other heatmap settings do not concern the quick check.
  const focus = useFocusSettings(useShallow((s) => ({ colormap: s.colormap, opacity: s.opacity, smooth: s.smooth, set: s.set })));
  // The app's one out-of-focus point (focus-settings' qcThreshold): set here, it moves the slide's verdicts too.
  const userThreshold = useFocusSettings((st) => st.qcThreshold);
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const model = useCurrentModel();
  const card = model?.card;

  const profile = useCurrentProfile();
  // Tiles without tissue say nothing about focus: they do not move a batch midpoint.
  const threshold = useMemo(
    () => activeThreshold(card, { user: userThreshold, profile, batch: s.items.filter((i) => !hasNoTissue(i)) }),
    [userThreshold, card, profile, s.items],
  );
  const scale = threshold.scale;
  const graded = scale?.grade !== undefined;
  const counts = useMemo(() => countRecords(s.items, scale), [s.items, scale]);
  const rows = useMemo(() => filterRecords(sortRecords(s.items, s.sort), s.filter, scale), [s.items, s.sort, s.filter, scale]);
  const batch = useMemo(() => batchRange(s.items.map((i) => i.patchGrid)), [s.items]);
  const normaliser = sharedNormaliser(s.scale, card, batch);
  const heatmap = useMemo(
    () => ({ colormap: focus.colormap, opacity: focus.opacity, smooth: focus.smooth, ...(normaliser ? { normaliser } : {}) }),
    // Keyed on the normaliser's numbers, not its identity, so rows (memoised) redraw only when colours change.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [focus.colormap, focus.opacity, focus.smooth, normaliser?.lo, normaliser?.hi, normaliser?.grade],
  );
  const onOpen = useCallback((id: number) => useCheckStore.getState().set({ selectedId: id }), []);
  const onMark = useCallback(
    (id: number, mark: ExampleMark | undefined) => useCheckStore.setState((st) => ({ items: st.items.map((i) => (i.id === id ? { ...i, mark } : i)) })),
    [],
  );
  const staleModel = s.items.some((i) => i.modelId !== (model?.id ?? ''));
  const running = counts.finished < counts.total;

  const [limit, setLimit] = useState(PAGE);
  const list = useRef<HTMLUListElement>(null);
  const more = useRef<HTMLLIElement>(null);
  const hasMore = rows.length > limit;
  useEffect(() => {
    if (!hasMore || !more.current) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && setLimit((l) => l + PAGE), {
      root: list.current,
      rootMargin: '600px',
    });
    observer.observe(more.current);
    return () => observer.disconnect();
  }, [hasMore, limit]);

  const exportAs = (kind: 'csv' | 'json') => {
    const data = exportRows(rows, scale);
    if (kind === 'csv') downloadText(toCsv(data), 'focus-check.csv', 'text/csv');
    else downloadText(toJson(data), 'focus-check.json', 'application/json');
  };

  const onDrop = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.stopPropagation(); // the window's drop zone would route these again
    setOver(false);
    quickCheck.checkFiles(Array.from(e.dataTransfer.files));
  };

  return (
    <section
      className={over ? 'quick-check over' : 'quick-check'}
      aria-label="Quick check"
      data-testid="quick-check"
      data-model-id={model?.id ?? ''}
      data-model-url={model?.url ?? ''}
      data-threshold={threshold.value === undefined ? '' : String(threshold.value)}
      data-threshold-source={threshold.source}
      data-scale={scale?.name ?? ''}
      data-total={counts.total}
      data-finished={counts.finished}
      onDragOver={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        e.stopPropagation();
        e.dataTransfer.dropEffect = 'copy';
        setOver(true);
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOver(false);
      }}
      onDrop={onDrop}
    >
      <header className="check-header">
        <h2>Quick check</h2>
        <span className="muted">Focus of image tiles (PNG, JPEG, TIFF ≥ 235×235). Read and scored on this computer; nothing is uploaded.</span>
        <div className="spacer" />
        <button type="button" onClick={() => s.set({ open: false })} aria-label="Close the quick check" data-testid="check-close">
          ×
        </button>
      </header>

      <div className="check-drop">
        <span>Drop image files here, or</span>
        <button type="button" onClick={() => input.current?.click()}>
          Choose files…
        </button>
        <input
          ref={input}
          type="file"
          multiple
          accept={ACCEPT}
          hidden
          data-testid="check-files"
          onChange={(e) => {
            quickCheck.checkFiles(Array.from(e.currentTarget.files ?? []));
            e.currentTarget.value = '';
          }}
        />
      </div>

      <div className="check-controls">
        <label>
          Model
          <select value={model?.id ?? ''} onChange={(e) => focus.set({ modelId: e.currentTarget.value })} data-testid="check-model">
            {MODELS.map((m) => (
              <option key={m.id} value={m.id}>{m.label}</option>
            ))}
          </select>
        </label>
        <label title={SOURCE_NOTE[threshold.source]}>
          {graded ? 'Out of focus from grade' : 'Out of focus at score ≥'}
          <span className="row">
            <ThresholdInput value={graded ? scale?.outOfFocusGrade : threshold.value} onCommit={(v) => focus.set({ qcThreshold: v })} />
            {userThreshold !== undefined && (
              <button type="button" onClick={() => focus.set({ qcThreshold: undefined })} title={profile ? `Back to the calibration profile “${profile.name}”` : "Back to the model's threshold"}>
                reset
              </button>
            )}
          </span>
        </label>
        <label>
          Heatmap scale
          <select value={s.scale} onChange={(e) => s.set({ scale: e.currentTarget.value as HeatmapScale })} data-testid="check-scale">
            <option value="fixed">{card?.grade ? 'defocus grade 0–10 (same for all)' : card?.displayScale ? 'model card (same for all)' : 'whole batch (same for all)'}</option>
            <option value="image">each image its own</option>
          </select>
        </label>
        <label>
          Colours
          <select value={focus.colormap} onChange={(e) => focus.set({ colormap: e.currentTarget.value as ColormapName })}>
            {COLORMAPS.map((c) => <option key={c} value={c}>{c}</option>)}
          </select>
        </label>
        <label>
          Sort
          <select
            value={`${s.sort.key}:${s.sort.descending ? 'desc' : 'asc'}`}
            onChange={(e) => {
              const [key, dir] = e.currentTarget.value.split(':');
              s.set({ sort: { key: key as SortKey, descending: dir === 'desc' } });
            }}
            data-testid="check-sort"
          >
            {SORTS.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
          </select>
        </label>
        <label>
          Show
          <select value={s.filter} onChange={(e) => s.set({ filter: e.currentTarget.value as VerdictFilter })} data-testid="check-filter">
            <option value="all">all ({counts.total})</option>
            <option value="out-of-focus">out of focus ({counts.outOfFocus})</option>
            <option value="in-focus">in focus ({counts.inFocus})</option>
            <option value="no-tissue">no tissue ({counts.noTissue})</option>
            <option value="error">errors ({counts.errors})</option>
          </select>
        </label>
      </div>

      <p className={`check-note ${threshold.source === 'batch' || threshold.source === 'none' || !graded ? 'warn' : 'muted'}`} data-testid="check-threshold-note">
        Verdicts: {SOURCE_NOTE[threshold.source]}
        {threshold.source === 'profile' && ` “${profile?.name}”`}
        {scale && ` (${formatThreshold(scale)})`}.{' '}
        {threshold.source === 'user' && profile && `Your threshold wins over the calibration profile “${profile.name}”; reset it to use the profile. `}
        {graded
          ? 'Grades: 0 sharp … 10 severely blurred (estimated defocus), from the mean FocusLiteNN score over 235×235 patches at stride 128.'
          : 'Scores are FocusLiteNN’s raw mean over 235×235 patches at stride 128, higher = blurrier; this model has no grade scale (uncalibrated).'}
        {counts.borderline > 0 && ` ${counts.borderline} file(s) are borderline: within the scale's uncertainty of the out-of-focus point.`}
      </p>

      {staleModel && (
        <p className="check-note warn">
          Some results were scored with another model.{' '}
          <button type="button" onClick={() => quickCheck.recheckAll()}>Check again with {model?.label}</button>
        </p>
      )}

      {counts.total > 0 && (
        <div className="check-progress">
          <progress value={counts.finished} max={counts.total} data-testid="check-progress" />
          <span data-testid="check-progress-text">
            {counts.finished} of {counts.total} checked · {counts.outOfFocus} out of focus · {counts.inFocus} in focus · {counts.noTissue} no tissue · {counts.borderline} borderline · {counts.errors} errors
          </span>
          {running && (
            <button type="button" onClick={() => quickCheck.cancelCheck()} data-testid="check-cancel">
              Stop
            </button>
          )}
        </div>
      )}

      <div className="check-controls">
        <CalibrationControl />
      </div>
      {model && counts.finished > 0 && <QuickCheckFit items={s.items} model={model} onFitted={() => focus.set({ qcThreshold: undefined })} />}

      <div className="check-actions">
        <button type="button" onClick={() => exportAs('csv')} disabled={counts.finished === 0} data-testid="check-export-csv" title="The rows shown, as CSV">
          Export CSV
        </button>
        <button type="button" onClick={() => exportAs('json')} disabled={counts.finished === 0} data-testid="check-export-json" title="The rows shown, as JSON">
          Export JSON
        </button>
        <button type="button" onClick={() => quickCheck.clearResults()} disabled={counts.total === 0} data-testid="check-clear">
          Clear
        </button>
      </div>

      {counts.total === 0 ? (
        <div className="check-empty muted">No files yet. Several files dropped anywhere on the window are checked here too.</div>
      ) : (
        <ul className="check-list" data-testid="check-list" ref={list}>
          {rows.slice(0, limit).map((item) => (
            <QuickCheckRow key={item.id} item={item} {...judgeRecord(item, scale)} heatmap={heatmap} onOpen={onOpen} onMark={onMark} />
          ))}
          {hasMore && (
            <li ref={more} className="check-more muted">
              {rows.length - limit} more…
            </li>
          )}
        </ul>
      )}
    </section>
  );
}

/** Keeps what is being typed ("-3.", "") as typed, committing whenever it parses. */
function ThresholdInput({ value, onCommit }: { value: number | undefined; onCommit: (v: number) => void }) {
  const [draft, setDraft] = useState<string | undefined>();
  return (
    <input
      type="number"
      step={0.01}
      value={draft ?? (value === undefined ? '' : String(round(value)))}
      onChange={(e) => {
        const v = e.currentTarget.value;
        setDraft(v);
        if (v.trim() !== '' && Number.isFinite(Number(v))) onCommit(Number(v));
      }}
      onBlur={() => setDraft(undefined)}
      data-testid="check-threshold"
    />
  );
}

function round(v: number): number {
  return Math.round(v * 10000) / 10000;
}

/** The profile fit on the rows marked in the quick check. */
function QuickCheckFit({ items, model, onFitted }: { items: readonly CheckItem[]; model: ModelEntry; onFitted: () => void }) {
  const examples = markedExamples(items, model);
  return <CalibrationFit examples={examples} description={`Examples marked: ${examples.inFocus.length} sharp, ${examples.outOfFocus.length} blurred`} model={model} onFitted={onFitted} />;
}
