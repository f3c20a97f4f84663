// Loaded by index.html as a small classic script with `defer`, ahead of the app's module (deferred scripts and modules
// run in document order, so it always runs first, as soon as it has arrived, without waiting for the app's bundle): a
// DICOMweb series named in the page URL (?dicomweb=&study=&series=) starts its metadata request, often the slowest part
// of opening it (a second for a large slide), before the app's code has loaded. Plain JavaScript in public/ so that
// Vite leaves it a file of its own. The app takes the answer only if it would ask for the same URL (open-actions.ts);
// otherwise it fetches as usual. Its global's type: src/app/early-metadata.d.ts; tested by src/app/early-metadata.test.ts.
(() => {
  const q = new URLSearchParams(location.search);
  const base = q.get('dicomweb');
  const study = q.get('study') ?? '';
  const series = q.get('series') ?? '';
  const uid = /^[0-9.]{1,64}$/;
  if (!base || !uid.test(study) || !uid.test(series)) return;
  let url;
  try {
    // The form of dicomweb.ts seriesMetadataPath under the service root, as open-actions.ts builds it.
    url = `${new URL(base, location.href).href.replace(/\/+$/, '')}/studies/${study}/series/${series}/metadata`;
  } catch {
    return;
  }
  const response = fetch(url, { headers: { Accept: 'application/dicom+json' } });
  response.catch(() => undefined); // a failure is the app's to report, when it asks again
  window.focusliteEarlyMetadata = { url, response };
})();
