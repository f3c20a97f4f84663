import type { FormEvent } from 'react';
import { useDicomWebBrowser } from '../state/dicomweb-browser.ts';

/** Toolbar button that opens the DICOMweb browser. */
export function DicomWebButton() {
  return (
    <button type="button" onClick={() => useDicomWebBrowser.getState().show()} data-testid="dicomweb-toggle" title="Open a slide from a DICOMweb service (PACS, VNA, Orthanc)">
      DICOMweb…
    </button>
  );
}

/**
 * Studies with slide-microscopy images on a DICOMweb service, their SM series, and "Open". Patients are not named:
 * studies are told apart by date, description and UID. The token, if typed, lives in memory for this page only.
 */
export function DicomWebBrowser() {
  const s = useDicomWebBrowser();
  if (!s.open) return null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void s.list();
  };
  return (
    <div className="dicomweb-browser" role="dialog" aria-label="Open from a DICOMweb service" data-testid="dicomweb-browser" data-busy={s.busy}>
      <div className="row">
        <strong>Open from DICOMweb</strong>
        <div className="spacer" />
        <button type="button" onClick={s.close} aria-label="Close the DICOMweb browser" data-testid="dicomweb-close">
          ×
        </button>
      </div>
      <form onSubmit={submit} className="dicomweb-form">
        <label>
          Service URL{' '}
          <input type="url" value={s.base} onChange={(e) => s.set({ base: e.currentTarget.value })} placeholder="https://pacs.example.org/dicom-web" spellCheck={false} data-testid="dicomweb-base" required />
        </label>
        <label>
          Token (optional, kept in memory only){' '}
          <input type="password" value={s.token} onChange={(e) => s.set({ token: e.currentTarget.value })} autoComplete="off" data-testid="dicomweb-token" />
        </label>
        <button type="submit" data-testid="dicomweb-list" disabled={s.busy}>
          List studies
        </button>
      </form>
      {s.error && (
        <div role="alert" className="panel-alert" data-testid="dicomweb-error">
          {s.error}
        </div>
      )}
      {s.studies.length > 0 && (
        <table className="dicomweb-table">
          <thead>
            <tr>
              <th>Study date</th>
              <th>Description</th>
              <th>Series</th>
              <th>Study UID</th>
            </tr>
          </thead>
          <tbody>
            {s.studies.map((st) => (
              <tr key={st.study} className={st.study === s.study ? 'selected' : ''} data-testid="dicomweb-study" data-uid={st.study}>
                <td>{st.date.replace(/^(\d{4})(\d{2})(\d{2})$/, '$1-$2-$3') || '–'}</td>
                <td>
                  <button type="button" className="link" onClick={() => void s.pickStudy(st.study)}>
                    {st.description || 'study without description'}
                  </button>
                </td>
                <td>{st.series || '–'}</td>
                <td className="uid" title={st.study}>…{st.study.slice(-16)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {s.more && (
        <button type="button" onClick={() => void s.list(true)} disabled={s.busy} data-testid="dicomweb-more">
          More studies
        </button>
      )}
      {s.series.length > 0 && (
        <ul className="dicomweb-series">
          {s.series.map((se) => (
            <li key={se.series} data-testid="dicomweb-series" data-uid={se.series}>
              <button type="button" onClick={() => s.openSeries(se.series)} data-testid="dicomweb-open">
                Open
              </button>{' '}
              {se.description || `series ${se.number || '…' + se.series.slice(-12)}`} · {se.instances} instance(s)
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
