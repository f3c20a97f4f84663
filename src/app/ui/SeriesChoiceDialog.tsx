import { openSeriesFiles } from '../state/open-actions.ts';
import { useSeriesChoice } from '../state/series-choice.ts';

/** "These files hold several DICOM series": the user picks the one to open. */
export function SeriesChoiceDialog() {
  const choices = useSeriesChoice((s) => s.choices);
  if (!choices) return null;
  const close = () => useSeriesChoice.setState({ choices: undefined });
  return (
    <div className="dicomweb-browser" role="dialog" aria-label="Pick a DICOM series" data-testid="series-choice">
      <div className="row">
        <strong>These files hold {choices.length} DICOM series: open which?</strong>
        <div className="spacer" />
        <button type="button" onClick={close} aria-label="Cancel">
          ×
        </button>
      </div>
      <ul className="dicomweb-series">
        {choices.map((c) => (
          <li key={c.uid} data-testid="series-choice-item" data-uid={c.uid}>
            <button
              type="button"
              onClick={() => {
                close();
                openSeriesFiles(c.files);
              }}
            >
              Open
            </button>{' '}
            {c.description || `series ${c.number || '…' + c.uid.slice(-12)}`} · {c.files.length} file(s)
          </li>
        ))}
      </ul>
    </div>
  );
}
