import { useSlideStore } from '../state/slide-store.ts';
import { useViewerStore } from '../state/viewer-store.ts';

function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(n / 1e3))} kB`;
}

/** File name, dimensions, levels, microns per pixel and vendor of the open slide. */
export function StatusLine() {
  const info = useSlideStore((s) => s.slide?.info);
  const status = useSlideStore((s) => s.status);
  const failed = useViewerStore((s) => s.failedTiles);
  const lastTileError = useViewerStore((s) => s.lastTileError);
  if (!info) return <footer className="status-line">{status === 'loading' ? 'Opening…' : 'No slide open'}</footer>;
  const level0 = info.levels[0];
  return (
    <footer className="status-line" data-testid="status-line">
      <span data-testid="status-name" title={info.name}>{info.name}</span>
      {level0 && <span data-testid="status-size">{level0.width.toLocaleString('en')} × {level0.height.toLocaleString('en')} px</span>}
      <span data-testid="status-levels" data-levels={info.levels.length}>{info.levels.length} {info.levels.length === 1 ? 'level' : 'levels'}</span>
      <span data-testid="status-mpp">{info.mpp ? `${info.mpp.toFixed(3)} µm/px` : 'µm/px unknown'}</span>
      {info.magnification && <span>{info.magnification}×</span>}
      <span data-testid="status-vendor">{info.vendor} · {info.compression}</span>
      {info.byteLength !== undefined && <span>{formatBytes(info.byteLength)}</span>}
      {info.details && Object.keys(info.details).length > 0 && (
        <span data-testid="status-details" title={Object.entries(info.details).map(([k, v]) => `${k}: ${v}`).join('\n')}>
          {Object.values(info.details).slice(0, 2).join(' · ')}
        </span>
      )}
      {info.warnings?.length ? <span className="warn" title={info.warnings.join('\n')}>{info.warnings.length} warning(s)</span> : null}
      {failed > 0 && <span className="warn" title={lastTileError}>{failed} tile(s) failed to load</span>}
    </footer>
  );
}
