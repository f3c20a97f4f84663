import { useRef, useState, type FormEvent } from 'react';
import { openFile, openFromUrl } from '../state/open-actions.ts';

const ACCEPT = '.svs,.tif,.tiff,.ome.tif,.ome.tiff,.dcm,.png,.jpg,.jpeg,image/tiff,application/dicom,image/png,image/jpeg';

/** File picker and URL box. Files are read lazily in workers; nothing is uploaded. */
export function OpenControls() {
  const input = useRef<HTMLInputElement>(null);
  const [url, setUrl] = useState('');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    openFromUrl(url);
  };

  return (
    <div className="open-controls">
      <button type="button" onClick={() => input.current?.click()} title="Open a local slide (O)">
        Open slide…
      </button>
      <input
        ref={input}
        type="file"
        accept={ACCEPT}
        data-testid="open-file"
        hidden
        onChange={(event) => {
          const file = event.currentTarget.files?.[0];
          if (file) openFile(file);
          event.currentTarget.value = '';
        }}
      />
      <form onSubmit={submit} className="url-form">
        <input
          type="text"
          inputMode="url"
          spellCheck={false}
          placeholder="Slide URL (SVS/TIFF with range requests, .dzi, IIIF info.json)"
          value={url}
          onChange={(e) => setUrl(e.currentTarget.value)}
          aria-label="Slide URL"
          data-testid="open-url"
        />
        <button type="submit">Open URL</button>
      </form>
    </div>
  );
}
